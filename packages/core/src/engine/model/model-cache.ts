import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatMessage, ModelProviderV1, ModelResponse } from '../../spec/model-provider-v1.js';

/**
 * A store of model replies keyed by model + messages + parameters, so repeated runs over the same
 * corpus are served without model calls. Implementations must be safe for concurrent use.
 */
export interface ModelCallCache {
  get(key: string): Promise<ModelResponse | undefined>;
  set(key: string, response: ModelResponse): Promise<void>;
}

/** The cache key of a call: a SHA-256 over provider, model id, messages and generation parameters. */
export function modelCallKey(
  model: ModelProviderV1,
  messages: readonly ChatMessage[],
  parameters: { readonly maxOutputTokens?: number; readonly temperature?: number },
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([model.provider, model.modelId, parameters.maxOutputTokens ?? null, parameters.temperature ?? null]));
  for (const message of messages) {
    hash.update('\u0000');
    hash.update(message.role);
    hash.update('\u0000');
    hash.update(message.content);
  }
  return hash.digest('hex');
}

/** An in-memory cache holding at most `maxEntries` replies (least recently used evicted first). Default 10 000. */
export function createMemoryCache(options: { readonly maxEntries?: number } = {}): ModelCallCache & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, ModelResponse>();
  return {
    get size() {
      return entries.size;
    },
    async get(key) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    async set(key, response) {
      entries.delete(key);
      entries.set(key, response);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}

/**
 * A cache persisted as one JSON file per reply under `directory` (created when missing), shared by
 * processes and kept across runs. Writes are atomic (temp file + rename). Unreadable entries count as misses.
 */
export function createFileCache(directory: string): ModelCallCache {
  let ready: Promise<unknown> | undefined;
  const path = (key: string) => join(directory, key.slice(0, 2), `${key}.json`);
  return {
    async get(key) {
      try {
        return JSON.parse(await readFile(path(key), 'utf8')) as ModelResponse;
      } catch {
        return undefined;
      }
    },
    async set(key, response) {
      // Cached replies hold run data: owner-only folders (0700) and files (0600).
      ready ??= mkdir(directory, { recursive: true, mode: 0o700 });
      await ready;
      await mkdir(join(directory, key.slice(0, 2)), { recursive: true, mode: 0o700 });
      const temp = `${path(key)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temp, JSON.stringify(response), { encoding: 'utf8', mode: 0o600, flag: 'wx' });
      await rename(temp, path(key));
    },
  };
}
