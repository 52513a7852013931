import type { HostCall } from '@rlms/core';

/** A host call that cannot be forwarded; becomes a Python exception of `pythonType` at the call site. */
export class InvalidHostCall extends Error {
  readonly pythonType = 'TypeError';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidHostCall';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(payload: Record<string, unknown>, key: string, op: string): string {
  const value = payload[key];
  if (typeof value !== 'string') throw new InvalidHostCall(`${op}(): '${key}' must be a str, got ${typeof value}`);
  return value;
}

function optionalText(payload: Record<string, unknown>, key: string, op: string): { [key: string]: string } {
  const value = payload[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') throw new InvalidHostCall(`${op}(): '${key}' must be a str or None`);
  return { [key]: value };
}

function texts(payload: Record<string, unknown>, key: string, op: string): string[] {
  const value = payload[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new InvalidHostCall(`${op}(): '${key}' must be a list of str`);
  }
  return value;
}

/**
 * Parses one host-call frame sent by Python (`{"op": ..., "payload": {...}}`, see the runtime's
 * PROTOCOL.md) into a `HostCall`. The frame comes from inside the sandbox and is untrusted:
 * anything malformed throws `InvalidHostCall`, which Python receives as a `TypeError`.
 */
export function hostCallFromJson(json: string): HostCall {
  let frame: unknown;
  try {
    frame = JSON.parse(json);
  } catch {
    throw new InvalidHostCall('host call is not valid JSON');
  }
  if (!isRecord(frame) || typeof frame['op'] !== 'string' || !isRecord(frame['payload'])) {
    throw new InvalidHostCall('host call must be {"op": str, "payload": dict}');
  }
  const op = frame['op'];
  const payload = frame['payload'];
  switch (op) {
    case 'llm_query':
      return { op, prompt: text(payload, 'prompt', op), ...optionalText(payload, 'model', op) };
    case 'llm_query_batched':
      return { op, prompts: texts(payload, 'prompts', op), ...optionalText(payload, 'model', op) };
    case 'rlm_query':
      return {
        op,
        prompt: text(payload, 'prompt', op),
        ...(payload['context'] === undefined || payload['context'] === null ? {} : { context: payload['context'] }),
      };
    case 'rlm_query_batched': {
      const contexts = payload['contexts'];
      if (contexts !== undefined && contexts !== null && !Array.isArray(contexts)) {
        throw new InvalidHostCall(`${op}(): 'contexts' must be a list or None`);
      }
      return {
        op,
        prompts: texts(payload, 'prompts', op),
        ...(Array.isArray(contexts) ? { contexts } : {}),
      };
    }
    case 'tool': {
      const args = payload['args'] ?? {};
      if (!isRecord(args)) throw new InvalidHostCall(`tool(): 'args' must be a dict`);
      return { op, name: text(payload, 'name', op), args };
    }
    default:
      throw new InvalidHostCall(`unknown host operation ${JSON.stringify(op).slice(0, 80)}`);
  }
}
