import { ProtocolError, isAbortError } from '../errors/index.js';
import type { ContextInfo, ExecutionResult, HostCall } from '../spec/index.js';
import type { WireError } from './wire-types.js';
import { isPythonIdentifier } from './python-identifier.js';

const HOST_OPS = new Set(['llm_query', 'llm_query_batched', 'rlm_query', 'rlm_query_batched', 'tool']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts the runtime's `execute` reply value (a `WireExecutionResult`, from a frame or from the
 * embedded `Runtime.execute`) into an `ExecutionResult`. `null` fields are omitted.
 *
 * @param options.timedOut sets `timedOut: true` (the host interrupted the cell at its timeout).
 * @throws ProtocolError when `value` does not have the expected shape.
 */
export function parseExecutionResult(
  value: unknown,
  options: { readonly sandbox: string; readonly timedOut?: boolean },
): ExecutionResult {
  if (!isRecord(value) || typeof value.stdout !== 'string' || typeof value.stderr !== 'string') {
    throw new ProtocolError('The runtime returned a malformed execution result.', { sandbox: options.sandbox });
  }
  const error = value.error;
  const final = value.final;
  const truncated = typeof value.truncatedChars === 'number' ? value.truncatedChars : 0;
  return {
    stdout: value.stdout,
    stderr: value.stderr,
    ...(isRecord(error)
      ? {
          error: {
            type: String(error.type ?? 'Exception'),
            message: String(error.message ?? ''),
            traceback: String(error.traceback ?? ''),
          },
        }
      : {}),
    ...(isRecord(final)
      ? {
          final: {
            value: final.value,
            text: typeof final.text === 'string' ? final.text : String(final.value),
            ...(typeof final.variableName === 'string' ? { variableName: final.variableName } : {}),
          },
        }
      : {}),
    ...(options.timedOut === true ? { timedOut: true } : {}),
    truncatedChars: truncated,
    durationMs: typeof value.durationMs === 'number' ? value.durationMs : 0,
  };
}

/**
 * Converts the runtime's `load_context` reply value into a `ContextInfo`.
 *
 * @throws ProtocolError when `value` does not have the expected shape.
 */
export function parseContextInfo(value: unknown, options: { readonly sandbox: string }): ContextInfo {
  if (!isRecord(value) || typeof value.type !== 'string') {
    throw new ProtocolError('The runtime returned a malformed context info.', { sandbox: options.sandbox });
  }
  return {
    type: value.type,
    length: typeof value.length === 'number' ? value.length : 0,
    bytes: typeof value.bytes === 'number' ? value.bytes : 0,
  };
}

/**
 * Builds the `HostCall` for a `host_call` frame (`op` + `payload`), checking its shape.
 *
 * @throws TypeError naming what is wrong (the caller answers the runtime with it).
 */
export function hostCallFromWire(op: unknown, payload: unknown): HostCall {
  if (typeof op !== 'string' || !HOST_OPS.has(op)) {
    throw new TypeError(`Unknown host operation ${JSON.stringify(op)}.`);
  }
  const body = isRecord(payload) ? payload : {};
  const stringList = (field: string): string[] => {
    const list = body[field];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      throw new TypeError(`${op}: "${field}" must be a list of strings.`);
    }
    return list as string[];
  };
  const optionalModel = (): { model?: string } => {
    if (body.model === undefined || body.model === null) return {};
    if (typeof body.model !== 'string') throw new TypeError(`${op}: "model" must be a string.`);
    return { model: body.model };
  };
  switch (op) {
    case 'llm_query':
      if (typeof body.prompt !== 'string') throw new TypeError('llm_query: "prompt" must be a string.');
      return { op, prompt: body.prompt, ...optionalModel() };
    case 'llm_query_batched':
      return { op, prompts: stringList('prompts'), ...optionalModel() };
    case 'rlm_query':
      if (typeof body.prompt !== 'string') throw new TypeError('rlm_query: "prompt" must be a string.');
      return { op, prompt: body.prompt, ...(body.context === undefined ? {} : { context: body.context }), ...optionalModel() };
    case 'rlm_query_batched': {
      const prompts = stringList('prompts');
      if (body.contexts === undefined || body.contexts === null) return { op, prompts, ...optionalModel() };
      if (!Array.isArray(body.contexts)) throw new TypeError('rlm_query_batched: "contexts" must be a list.');
      return { op, prompts, contexts: body.contexts, ...optionalModel() };
    }
    default: {
      if (typeof body.name !== 'string') throw new TypeError('tool: "name" must be a string.');
      const args = body.args === undefined || body.args === null ? {} : body.args;
      if (!isRecord(args)) throw new TypeError('tool: "args" must be an object.');
      return { op: 'tool', name: body.name, args };
    }
  }
}

/**
 * Maps an error thrown by `HostBridge.call` to the `{type, message}` sent to the runtime.
 *
 * - an error with a string `pythonType` that is a Python identifier (`'ValueError'`,
 *   `'TimeoutError'`…) becomes that Python exception when it is a builtin, with its message as is;
 * - anything else becomes a `RuntimeError` whose message starts with the JS error name
 *   (`'ModelProviderError: rate limited'`); aborted calls read `'AbortError: …'`.
 */
export function hostErrorToWire(error: unknown): WireError {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
  const message =
    typeof record?.message === 'string' && record.message !== ''
      ? record.message
      : record === undefined
        ? String(error)
        : 'host call failed';
  const name = typeof record?.name === 'string' ? record.name : undefined;
  const pythonType = record?.pythonType;
  if (isPythonIdentifier(pythonType)) {
    return { type: pythonType, message, ...(name === undefined ? {} : { hostType: name }) };
  }
  const prefix = isAbortError(error) ? 'AbortError' : name !== undefined && name !== 'Error' ? name : undefined;
  return {
    type: 'RuntimeError',
    message: prefix === undefined ? message : `${prefix}: ${message}`,
    ...(name === undefined ? {} : { hostType: name }),
  };
}

/** Key of the tagged objects that carry values JSON cannot (`NaN`, `Infinity`, integers past 2^53); the runtime decodes them. */
export const WIRE_TAG = '__rlms_wire__';

/** Why a host value cannot cross to Python; `path` names where (`result.items[2]`). */
export class WireValueError extends TypeError {
  /** The exception model code sees. */
  readonly pythonType = 'TypeError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'WireValueError';
  }
}

/**
 * Converts a value a host function returned (a tool's result) into plain JSON for Python, faithfully:
 * `Set` → list, `Map` with string keys → dict, `NaN`/`±Infinity` → a tagged float and `BigInt` → a
 * tagged int (the runtime turns both into Python `float`/`int`), `Date` → its ISO string, `undefined`
 * → `None`. Anything else JSON would drop or mangle (a function, a symbol, a `Map` with other keys, a
 * cycle, a class instance's methods) raises `WireValueError` naming the path.
 *
 * @param root how the value is named in messages (`"search() result"`).
 */
export function toWireValue(value: unknown, root = 'value'): unknown {
  const seen = new Set<object>();
  const convert = (item: unknown, path: string): unknown => {
    switch (typeof item) {
      case 'string':
      case 'boolean':
        return item;
      case 'undefined':
        return null;
      case 'number':
        if (Number.isFinite(item)) return item;
        return { [WIRE_TAG]: 'float', value: Number.isNaN(item) ? 'nan' : item > 0 ? 'inf' : '-inf' };
      case 'bigint':
        return { [WIRE_TAG]: 'int', value: item.toString() };
      case 'function':
      case 'symbol':
        throw new WireValueError(`${path} is a ${typeof item}, which cannot be passed to Python; return JSON-compatible data.`, path);
      default:
        break;
    }
    if (item === null) return null;
    const object = item as object;
    if (seen.has(object)) throw new WireValueError(`${path} refers to itself (a cycle), which cannot be passed to Python.`, path);
    seen.add(object);
    try {
      if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
      if (Array.isArray(object)) return object.map((entry, index) => convert(entry, `${path}[${index}]`));
      if (object instanceof Set) return [...object].map((entry, index) => convert(entry, `${path}[${index}]`));
      if (object instanceof Map) {
        const result: Record<string, unknown> = {};
        for (const [key, entry] of object) {
          if (typeof key !== 'string') {
            throw new WireValueError(`${path} is a Map with a ${typeof key} key; only string keys become a Python dict. Convert it (e.g. Object.fromEntries with String(key)).`, path);
          }
          result[key] = convert(entry, `${path}[${JSON.stringify(key)}]`);
        }
        return result;
      }
      if (ArrayBuffer.isView(object)) {
        return Array.from(object as unknown as ArrayLike<number>, (entry, index) => convert(entry, `${path}[${index}]`));
      }
      const json = (object as { toJSON?: unknown }).toJSON;
      if (typeof json === 'function') return convert((json as () => unknown).call(object), path);
      const result: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(object)) result[key] = convert(entry, `${path}.${key}`);
      return result;
    } finally {
      seen.delete(object);
    }
  };
  return convert(value, root);
}
