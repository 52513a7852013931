import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, type DecodedFrame } from '../src/protocol/index.js';

/** Pushes `chunks` (each copied, then scribbled over: the decoder must not keep caller memory). */
function pushAll(decoder: FrameDecoder, chunks: Iterable<Uint8Array>): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  for (const chunk of chunks) {
    const copy = Buffer.from(chunk);
    frames.push(...decoder.push(copy));
    copy.fill(0x21);
  }
  return frames;
}

/** The frames' bytes as a stream cut into `size`-byte chunks, without building the whole stream. */
function* inChunks(frames: readonly Uint8Array[], size: number): Generator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for (const part of frames) {
    let offset = 0;
    while (offset < part.length) {
      const take = Math.min(size - pendingBytes, part.length - offset);
      pending.push(part.subarray(offset, offset + take));
      pendingBytes += take;
      offset += take;
      if (pendingBytes === size) {
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

describe('FrameDecoder on large streams made of many small chunks', () => {
  it('joins a 16 MiB header pushed in 1 KiB chunks (one join, not one per chunk)', () => {
    const code = `x = "${'b'.repeat(16 * 1024 * 1024)}"`;
    const decoder = new FrameDecoder();
    const frames = pushAll(decoder, inChunks([...encodeFrame({ type: 'execute', id: 'h1', code }), ...encodeFrame({ type: 'shutdown' })], 1024));
    expect(frames).toHaveLength(2);
    expect(frames[0]?.header.code).toBe(code);
    expect(frames[1]?.header.type).toBe('shutdown');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes 64 MiB of frames with attachments pushed in 4 KiB chunks', () => {
    const parts: Uint8Array[] = [];
    const expected: { id: string; size: number; mark: number }[] = [];
    for (let index = 0; index < 64; index += 1) {
      const size = 1024 * 1024 + index * 37;
      const attachment = new Uint8Array(size);
      attachment.fill(index % 251);
      attachment[size - 1] = 7;
      parts.push(...encodeFrame({ type: 'host_call', id: `p${index}`, promptBytes: [size] }, attachment));
      expected.push({ id: `p${index}`, size, mark: index % 251 });
    }
    const decoder = new FrameDecoder({ maxFrameBytes: 2 * 1024 * 1024 });
    const frames = pushAll(decoder, inChunks(parts, 4096));
    expect(frames.map((frame) => frame.header.id)).toEqual(expected.map((entry) => entry.id));
    frames.forEach((frame, index) => {
      const { size, mark } = expected[index]!;
      expect(frame.attachment?.length).toBe(size);
      expect(frame.attachment?.[0]).toBe(mark);
      expect(frame.attachment?.[size >> 1]).toBe(mark);
      expect(frame.attachment?.[size - 1]).toBe(7);
    });
    expect(decoder.bufferedBytes).toBe(0);
  });
});
