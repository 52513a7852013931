/**
 * The host's side of the channel to a sandbox process: frames are capped before a byte is
 * buffered, and each frame's shape is checked before the host acts on it.
 */
import { describe, expect, it } from 'vitest';
import { checkSandboxFrame, SandboxFrameError } from '../src/sandbox-frame-guard.js';
import { FrameDecoder, FrameViolation, encodeFrame } from '../src/worker/channel-frames.js';

const concat = (chunks: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
};

/** A bare prefix announcing a header and an attachment of the given sizes. */
const prefix = (header: number, attachment: number): Uint8Array => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, header, true);
  new DataView(bytes.buffer).setUint32(4, attachment, true);
  return bytes;
};

describe('FrameDecoder', () => {
  it('decodes frames split at every byte and frames sharing a chunk', () => {
    const bytes = concat([
      ...encodeFrame({ type: 'host-call', callId: 1 }, new TextEncoder().encode('{"op":"llm_query"}')),
      ...encodeFrame({ type: 'host-cancel', callId: 1 }),
    ]);
    const decoder = new FrameDecoder({ header: 1024, attachment: 1024 });
    const frames = [];
    for (let at = 0; at < bytes.byteLength; at++) frames.push(...decoder.push(bytes.subarray(at, at + 1)));
    expect(frames.map((frame) => frame.header)).toEqual([
      { type: 'host-call', callId: 1 },
      { type: 'host-cancel', callId: 1 },
    ]);
    expect(new TextDecoder().decode(frames[0]?.attachment)).toBe('{"op":"llm_query"}');
    expect(new FrameDecoder({ header: 1024, attachment: 1024 }).push(bytes)).toHaveLength(2);
  });

  it('refuses a frame announcing more than its caps from the 8-byte prefix alone, and stays refused', () => {
    const decoder = new FrameDecoder({ header: 1024, attachment: 4096 });
    expect(() => decoder.push(prefix(10, 0xffff_ffff))).toThrow(FrameViolation);
    expect(() => decoder.push(new Uint8Array(1))).toThrow(/attachment of 4294967295 bytes/);
    expect(() => new FrameDecoder({ header: 1024, attachment: 0 }).push(prefix(2048, 0))).toThrow(/header of 2048 bytes/);
  });

  it('refuses headers that are empty, not UTF-8 or not a JSON object', () => {
    const bad = [
      prefix(0, 0),
      concat([prefix(2, 0), new Uint8Array([0xff, 0xfe])]),
      concat([prefix(4, 0), new TextEncoder().encode('null')]),
      concat([prefix(2, 0), new TextEncoder().encode('[]')]),
    ];
    for (const bytes of bad) expect(() => new FrameDecoder({ header: 64, attachment: 64 }).push(bytes)).toThrow(FrameViolation);
  });
});

describe('checkSandboxFrame', () => {
  const check = (header: Record<string, unknown>, attachment = new Uint8Array(0)) => checkSandboxFrame({ header, attachment });

  it('keeps only the known fields of valid frames', () => {
    expect(check({ type: 'response', id: 3, ok: true, json: '{}', extra: { __proto__: 1 } })).toEqual({
      frame: { type: 'response', id: 3, ok: true, json: '{}' },
    });
    expect(check({ type: 'host-call', callId: 2 }, new Uint8Array(3))).toEqual({
      frame: { type: 'host-call', callId: 2 },
      body: new Uint8Array(3),
    });
    expect(check({ type: 'fatal', reason: 'out-of-memory', message: 'x' }).frame).toEqual({
      type: 'fatal',
      reason: 'out-of-memory',
      message: 'x',
    });
  });

  it.each([
    [{ type: 'response', id: '1', ok: true, json: '{}' }],
    [{ type: 'response', id: 1, ok: 'yes', json: '{}' }],
    [{ type: 'response', id: 1, ok: true, json: {} }],
    [{ type: 'response', id: 1, ok: false, failure: { message: 'x', reason: 'timeout' } }],
    [{ type: 'host-call', callId: -1 }],
    [{ type: 'host-call', callId: 2 ** 60 }],
    [{ type: 'host-cancel', callId: 1.5 }],
    [{ type: 'fatal', reason: 'destroyed', message: 'x' }],
    [{ type: 'ready', pythonVersion: 3 }],
    [{ type: '__proto__' }],
    [{ type: 'stdioPayload', stream: 'stdin', chunks: [] }],
  ])('rejects %j', (header) => {
    expect(() => check(header)).toThrow(SandboxFrameError);
  });

  it('rejects attachments on frames that carry none', () => {
    expect(() => check({ type: 'host-cancel', callId: 1 }, new Uint8Array(1))).toThrow(/no attachment/);
  });
});
