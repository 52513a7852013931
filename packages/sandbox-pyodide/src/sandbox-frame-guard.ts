import type { ChannelFrame } from './worker/channel-frames.js';
import type { SandboxFrame } from './worker/channel-messages.js';

/** A frame from the sandbox process that is not one the protocol allows. */
export class SandboxFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxFrameError';
  }
}

/** What the host accepts from a sandbox process, with the payload of the two frames that carry one. */
export type CheckedFrame =
  | { readonly frame: Extract<SandboxFrame, { type: 'ready' }>; readonly snapshot?: Uint8Array }
  | { readonly frame: Extract<SandboxFrame, { type: 'host-call' }>; readonly body: Uint8Array }
  | { readonly frame: Exclude<SandboxFrame, { type: 'ready' } | { type: 'host-call' }> };

const TEXT_LIMIT = 4096;

function fail(message: string): never {
  throw new SandboxFrameError(message);
}

function id(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(`${name} must be a positive integer`);
  return value;
}

function text(value: unknown, name: string, limit = TEXT_LIMIT): string {
  if (typeof value !== 'string') fail(`${name} must be a string`);
  return value.length > limit ? `${value.slice(0, limit)}…` : value;
}

function optionalText(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : text(value, name, Number.MAX_SAFE_INTEGER);
}

/**
 * Checks the shape and types of one frame the sandbox process sent (sizes were capped by the
 * decoder). Returns a fresh object holding only the known fields, so nothing else the frame
 * carried reaches the rest of the host. Throws `SandboxFrameError` otherwise.
 */
export function checkSandboxFrame({ header, attachment }: ChannelFrame): CheckedFrame {
  const type = header['type'];
  const noAttachment = (): void => {
    if (attachment.byteLength > 0) fail(`a ${String(type)} frame carries no attachment`);
  };
  switch (type) {
    case 'ready':
      return {
        frame: { type, pythonVersion: text(header['pythonVersion'], 'pythonVersion', 64) },
        ...(attachment.byteLength > 0 ? { snapshot: attachment } : {}),
      };
    case 'boot-failed':
      noAttachment();
      return { frame: { type, message: text(header['message'], 'message') } };
    case 'response': {
      noAttachment();
      const requestId = id(header['id'], 'id');
      if (header['ok'] === true) {
        const rawStdout = optionalText(header['rawStdout'], 'rawStdout');
        const rawStderr = optionalText(header['rawStderr'], 'rawStderr');
        return {
          frame: {
            type,
            id: requestId,
            ok: true,
            json: text(header['json'], 'json', Number.MAX_SAFE_INTEGER),
            ...(rawStdout === undefined ? {} : { rawStdout }),
            ...(rawStderr === undefined ? {} : { rawStderr }),
          },
        };
      }
      if (header['ok'] !== false) fail('response.ok must be true or false');
      const failure = header['failure'];
      if (typeof failure !== 'object' || failure === null) fail('response.failure must be an object');
      const record = failure as Record<string, unknown>;
      const reason = record['reason'];
      if (reason !== undefined && reason !== 'out-of-memory') fail('response.failure.reason is unknown');
      return {
        frame: {
          type,
          id: requestId,
          ok: false,
          failure: { message: text(record['message'], 'failure.message'), ...(reason ? { reason } : {}) },
        },
      };
    }
    case 'host-call':
      return { frame: { type, callId: id(header['callId'], 'callId') }, body: attachment };
    case 'host-cancel':
      noAttachment();
      return { frame: { type, callId: id(header['callId'], 'callId') } };
    case 'protocol-violation':
      noAttachment();
      return { frame: { type, message: text(header['message'], 'message') } };
    case 'fatal': {
      noAttachment();
      const reason = header['reason'];
      if (reason !== 'out-of-memory' && reason !== 'crashed') fail('fatal.reason is unknown');
      return { frame: { type, reason, message: text(header['message'], 'message') } };
    }
    default:
      return fail(`unknown frame type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
}
