import { ProtocolError } from '../errors/index.js';
import type { DecodedFrame } from './frame-codec.js';
import { withPromptsFromBytes } from './prompt-attachment.js';
import type { HostCallFrame, HostCancelFrame, ReadyFrame, ResponseFrame, RuntimeFrame } from './wire-types.js';

/** Longest request id accepted (ids are `p<counter>` / `h<counter>`). */
const MAX_ID_LENGTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one frame from the runtime against the protocol before the host acts on it, and turns a
 * `host_call` whose prompts travel as a UTF-8 attachment (`promptBytes`) into the plain
 * `payload.prompt` / `payload.prompts` form.
 *
 * @throws ProtocolError naming what is wrong: an unknown `type`, a missing or mistyped field
 *   (`id`, `op`, `payload`, `ok`, `error`), an attachment on a frame that takes none, or
 *   `promptBytes` that do not add up to the attachment, or a prompt that is not valid UTF-8.
 */
export function parseRuntimeFrame(frame: DecodedFrame, sandbox: string): RuntimeFrame {
  const { header, attachment } = frame;
  const fail = (problem: string): ProtocolError =>
    new ProtocolError(
      `Invalid ${typeof header.type === 'string' ? `"${header.type.slice(0, 40)}" ` : ''}frame from the ${sandbox} sandbox's runtime: ${problem}. ` +
        'The runtime never sends such a frame, so code in the sandbox wrote to the protocol channel directly; the session was killed.',
      { sandbox },
    );
  const id = (): string => {
    const value = header.id;
    if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) {
      throw fail(`"id" must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
    }
    return value;
  };
  if (attachment !== undefined && !(header.type === 'host_call' && header.promptBytes !== undefined)) {
    throw fail('it carries an attachment, which only a host_call with "promptBytes" may');
  }
  switch (header.type) {
    case 'ready': {
      if (typeof header.protocol !== 'number') throw fail('"protocol" must be a number');
      if (typeof header.python !== 'string' || typeof header.pid !== 'number') throw fail('"python" must be a string and "pid" a number');
      if (header.fdCapture !== undefined && typeof header.fdCapture !== 'boolean') throw fail('"fdCapture" must be a boolean');
      return header as unknown as ReadyFrame;
    }
    case 'response': {
      const requestId = id();
      if (header.ok === true) return { type: 'response', id: requestId, ok: true, value: header.value };
      if (header.ok !== false) throw fail('"ok" must be true or false');
      const error = header.error;
      if (!isRecord(error) || typeof error.type !== 'string' || typeof error.message !== 'string') {
        throw fail('"error" must be an object with string "type" and "message"');
      }
      return { type: 'response', id: requestId, ok: false, error: { type: error.type, message: error.message } };
    }
    case 'host_call': {
      const callId = id();
      if (typeof header.op !== 'string') throw fail('"op" must be a string');
      if (!isRecord(header.payload)) throw fail('"payload" must be an object');
      if (header.promptBytes !== undefined && attachment === undefined) throw fail('"promptBytes" needs an attachment holding the prompts');
      const payload =
        attachment === undefined ? header.payload : withPromptsFromBytes(header.op, header.payload, header.promptBytes, attachment, fail);
      return { type: 'host_call', id: callId, op: header.op, payload } satisfies HostCallFrame;
    }
    case 'host_cancel':
      return { type: 'host_cancel', id: id() } satisfies HostCancelFrame;
    default:
      throw fail(`unknown frame type ${JSON.stringify(header.type)?.slice(0, 60) ?? 'undefined'}`);
  }
}
