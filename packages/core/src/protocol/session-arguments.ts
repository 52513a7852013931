import { ConfigurationError, ContextError } from '../errors/index.js';
import type { ContextPayload, CreateSessionOptions, ExecuteOptions, HostToolInfo, LoadContextOptions } from '../spec/index.js';
import { assertPythonIdentifier } from './python-identifier.js';

/** Smallest `maxFrameBytes` a session accepts: room for an execution result with its output cut short. */
export const MIN_MAX_FRAME_BYTES = 65_536;
/** Largest `maxFrameBytes` a session accepts (frame parts carry uint32 lengths). */
export const MAX_MAX_FRAME_BYTES = 0xffff_ffff;
/** Largest `timeoutMs` of one `execute` (what a Node.js timer can wait). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Checks the arguments every sandbox's `createSession` takes, so that all backends refuse the same
 * mistakes with the same messages: `host` (a `HostBridge`), `tools` (an array of uniquely named
 * Python identifiers), `maxOutputChars` (an integer ≥ 0) and `maxFrameBytes` (an integer between
 * 64 KiB and 4 GiB). Returns the tools (`[]` when none).
 *
 * @param where the call named in messages, e.g. `'createSession'`.
 * @throws ConfigurationError `code` `'invalid-argument'` (host, limits) or `'invalid-tools'` (tools).
 */
export function checkCreateSessionOptions(options: CreateSessionOptions, where = 'createSession'): readonly HostToolInfo[] {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(`${where}: options must be an object with at least { host }.`, { code: 'invalid-argument' });
  }
  const host = options.host as { call?: unknown } | null | undefined;
  if (typeof host !== 'object' || host === null || typeof host.call !== 'function') {
    throw new ConfigurationError(`${where}: \`host\` must be a HostBridge with a call(request, options) method.`, {
      code: 'invalid-argument',
    });
  }
  checkInteger(where, 'maxOutputChars', options.maxOutputChars, 0, Number.MAX_SAFE_INTEGER);
  checkInteger(where, 'maxFrameBytes', options.maxFrameBytes, MIN_MAX_FRAME_BYTES, MAX_MAX_FRAME_BYTES);
  return checkSessionTools(options.tools, where);
}

/**
 * Checks host tool definitions: an array whose names are Python identifiers, each defined once.
 *
 * @throws ConfigurationError `code: 'invalid-tools'`.
 */
export function checkSessionTools(tools: readonly HostToolInfo[] | undefined, where = 'createSession'): readonly HostToolInfo[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) {
    throw new ConfigurationError(`${where}: \`tools\` must be an array of { name, description?, parameters? }.`, {
      code: 'invalid-tools',
    });
  }
  const seen = new Set<string>();
  for (const tool of tools as readonly unknown[]) {
    const name = (tool as { name?: unknown } | null)?.name;
    assertPythonIdentifier(name, `${where}: tool name`, 'invalid-tools');
    if (seen.has(name)) throw new ConfigurationError(`${where}: tool "${name}" is defined twice.`, { code: 'invalid-tools' });
    seen.add(name);
  }
  return tools;
}

/**
 * Checks `loadContext`'s arguments and returns the variable to bind (default `'context'`).
 *
 * @throws ContextError `code: 'invalid-context'` when the payload is not `{ format: 'text' | 'json' | 'documents', bytes: Uint8Array }`.
 * @throws ConfigurationError `code: 'invalid-argument'` when `variableName` is not a Python identifier.
 */
export function checkLoadContextArguments(payload: ContextPayload, options: LoadContextOptions = {}): string {
  if (
    typeof payload !== 'object' ||
    payload === null ||
    (payload.format !== 'text' && payload.format !== 'json' && payload.format !== 'documents')
  ) {
    throw new ContextError(`loadContext: format must be 'text', 'json' or 'documents', got ${JSON.stringify(payload?.format)}.`, {
      code: 'invalid-context',
    });
  }
  if (!(payload.bytes instanceof Uint8Array)) {
    throw new ContextError('loadContext: bytes must be a Uint8Array (encode a string with new TextEncoder().encode(text)).', {
      code: 'invalid-context',
    });
  }
  const variable = options.variableName ?? 'context';
  assertPythonIdentifier(variable, 'loadContext: variableName', 'invalid-argument');
  return variable;
}

/**
 * Checks `execute`'s arguments: `code` a string, `timeoutMs` (when set) a positive number of
 * milliseconds up to 2^31 - 1.
 *
 * @throws ConfigurationError `code: 'invalid-argument'`.
 */
export function checkExecuteArguments(code: string, options: ExecuteOptions = {}): void {
  if (typeof code !== 'string') {
    throw new ConfigurationError(`execute: code must be a string of Python source, got ${typeof code}.`, { code: 'invalid-argument' });
  }
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new ConfigurationError(`execute: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}.`, {
      code: 'invalid-argument',
    });
  }
}

function checkInteger(where: string, name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new ConfigurationError(`${where}: ${name} must be an integer between ${min} and ${max}, got ${String(value)}.`, {
      code: 'invalid-argument',
    });
  }
}
