import { readFile } from 'node:fs/promises';
import type { RLMServerSettings } from '@rlms/server';
import { parseDuration, parseInteger, parseSize } from './flag-values.js';
import { MODEL_FLAGS } from './model-flags.js';
import { UsageError } from './usage-error.js';

/** The flags of `rlms serve` that set up the server (the model and sandbox flags come from `MODEL_FLAGS`). */
export const SERVER_FLAGS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'api-key-file': { type: 'string' },
  'no-auth': { type: 'boolean' },
  'max-body': { type: 'string' },
  'body-timeout': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'max-schema-size': { type: 'string' },
  'max-schema-depth': { type: 'string' },
  'max-schema-subschemas': { type: 'string' },
  'schema-timeout': { type: 'string' },
  'max-concurrency': { type: 'string' },
  'model-name': { type: 'string' },
  'context-threshold': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'trajectory-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** Every flag `rlms serve` reads. */
export const SERVE_FLAGS = {
  ...MODEL_FLAGS,
  ...SERVER_FLAGS,
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Environment variable with comma-separated API keys, read in addition to `--api-key-file`. */
export const API_KEYS_ENV = 'RLMS_SERVE_API_KEYS';

/** The server flags, checked: where to listen, and the `createRLMServer` settings other than the RLM and `onLog`. */
export interface ServeFlags {
  readonly port: number;
  readonly host: string;
  readonly quiet: boolean;
  readonly server: Omit<RLMServerSettings, 'rlm' | 'createRLM' | 'onLog'>;
}

/** Reads keys from a file: one per line, blank lines and `#` comments skipped. */
async function readKeyFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--api-key-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, 'serve');
  }
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  if (keys.some((key) => /\s/.test(key))) throw new UsageError(`--api-key-file: ${path} has a line with spaces; put one key per line.`, 'serve');
  if (keys.length === 0) throw new UsageError(`--api-key-file: ${path} holds no key; put one key per line.`, 'serve');
  return keys;
}

/** The accepted bearer tokens: `--api-key-file` and `RLMS_SERVE_API_KEYS`, or `'none'` with `--no-auth`. */
async function apiKeysOf(values: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): Promise<readonly string[] | 'none'> {
  const file = values['api-key-file'] as string | undefined;
  const fileKeys = file === undefined ? [] : await readKeyFile(file);
  const envKeys = (env[API_KEYS_ENV] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  const keys = [...new Set([...fileKeys, ...envKeys])];
  const noAuth = values['no-auth'] === true;
  if (noAuth && keys.length > 0) throw new UsageError(`--no-auth conflicts with the API keys given (--api-key-file or ${API_KEYS_ENV}): drop one.`, 'serve');
  if (!noAuth && keys.length === 0) {
    throw new UsageError(
      `rlms serve needs API keys: pass --api-key-file FILE (one key per line) or set ${API_KEYS_ENV}=key1,key2; or pass --no-auth to serve without authentication.`,
      'serve',
    );
  }
  return noAuth ? 'none' : keys;
}

/** `{ [name]: value }` when the value is set, else `{}` (settings are exact optional properties). */
function some<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

/**
 * Turns the parsed server flags (and `RLMS_SERVE_API_KEYS` of `env`) into where to listen and the
 * server settings. Reads `--api-key-file`. Throws `UsageError` (exit code 2) for every mistake.
 */
export async function resolveServeFlags(values: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): Promise<ServeFlags> {
  const str = (name: keyof typeof SERVER_FLAGS) => values[name] as string | undefined;
  const apiKeys = await apiKeysOf(values, env);
  const host = str('host') ?? '127.0.0.1';
  if (host.trim().length === 0) throw new UsageError('--host must not be empty.', 'serve');
  const modelName = str('model-name');
  if (modelName?.trim().length === 0) throw new UsageError('--model-name must not be empty.', 'serve');
  const port = parseInteger('port', str('port'), 'serve', 0) ?? 8080;
  if (port > 65_535) throw new UsageError(`--port must be at most 65535; got ${port}.`, 'serve');
  return {
    port,
    host,
    quiet: values.quiet === true,
    server: {
      apiKeys,
      ...some('modelName', modelName),
      ...some('maxBodyBytes', parseSize('max-body', str('max-body'), 'serve')),
      ...some('bodyTimeoutMs', parseDuration('body-timeout', str('body-timeout'), 'serve')),
      ...some('headersTimeoutMs', parseDuration('headers-timeout', str('headers-timeout'), 'serve')),
      ...some('maxSchemaBytes', parseSize('max-schema-size', str('max-schema-size'), 'serve')),
      ...some('maxSchemaDepth', parseInteger('max-schema-depth', str('max-schema-depth'), 'serve')),
      ...some('maxSchemaSubschemas', parseInteger('max-schema-subschemas', str('max-schema-subschemas'), 'serve')),
      ...some('schemaValidationTimeoutMs', parseDuration('schema-timeout', str('schema-timeout'), 'serve')),
      ...some('maxConcurrentRuns', parseInteger('max-concurrency', str('max-concurrency'), 'serve')),
      ...some('contextThresholdChars', parseInteger('context-threshold', str('context-threshold'), 'serve')),
      ...some('shutdownGraceMs', parseDuration('shutdown-grace', str('shutdown-grace'), 'serve', 0)),
      ...some('trajectoryDir', str('trajectory-dir')),
    },
  };
}
