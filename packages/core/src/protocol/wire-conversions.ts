import { ProtocolError, isAbortError } from '../errors/index.js';
import type { ContextInfo, ExecutionResult, HostCall } from '../spec/index.js';
import type { WireError } from './wire-types.js';

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
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
      return { op, prompt: body.prompt, ...(body.context === undefined ? {} : { context: body.context }) };
    case 'rlm_query_batched': {
      const prompts = stringList('prompts');
      if (body.contexts === undefined || body.contexts === null) return { op, prompts };
      if (!Array.isArray(body.contexts)) throw new TypeError('rlm_query_batched: "contexts" must be a list.');
      return { op, prompts, contexts: body.contexts };
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
  if (typeof pythonType === 'string' && PYTHON_IDENTIFIER.test(pythonType)) {
    return { type: pythonType, message, ...(name === undefined ? {} : { hostType: name }) };
  }
  const prefix = isAbortError(error) ? 'AbortError' : name !== undefined && name !== 'Error' ? name : undefined;
  return {
    type: 'RuntimeError',
    message: prefix === undefined ? message : `${prefix}: ${message}`,
    ...(name === undefined ? {} : { hostType: name }),
  };
}
