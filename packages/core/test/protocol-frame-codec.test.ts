import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/index.js';
import { FrameDecoder, encodeFrame, type DecodedFrame } from '../src/protocol/index.js';

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function decodeInChunks(stream: Uint8Array, sizes: (index: number) => number): DecodedFrame[] {
  const decoder = new FrameDecoder();
  const frames: DecodedFrame[] = [];
  let offset = 0;
  for (let index = 0; offset < stream.length; index += 1) {
    const size = Math.max(1, sizes(index));
    // Copy (as a Node Buffer, whose slice() makes views), then scribble over the chunk: the
    // decoder must not keep references to caller memory.
    const chunk = Buffer.from(stream.subarray(offset, offset + size));
    frames.push(...decoder.push(chunk));
    chunk.fill(0x21);
    offset += size;
  }
  expect(decoder.bufferedBytes).toBe(0);
  return frames;
}

/** Deterministic pseudo-random generator (mulberry32) so failures are reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const attachment = new Uint8Array([0, 10, 13, 123, 34, 10, 255, 254, 10]);
const sample = concat([
  ...encodeFrame({ type: 'ready', protocol: 1, python: '3.12.1', pid: 42 }),
  ...encodeFrame({ type: 'load_context', id: 'h1', format: 'text', variable: 'context' }, attachment),
  ...encodeFrame({ type: 'execute', id: 'h2', code: 'print("中文 😀\\n")\nx = 1' }),
  ...encodeFrame({ type: 'load_context', id: 'h3', format: 'json', variable: 'context' }, new Uint8Array(0)),
  ...encodeFrame({ type: 'shutdown' }),
]);

function checkSample(frames: readonly DecodedFrame[]): void {
  expect(frames.map((frame) => frame.header.type)).toEqual(['ready', 'load_context', 'execute', 'load_context', 'shutdown']);
  expect(frames[0]?.header).toEqual({ type: 'ready', protocol: 1, python: '3.12.1', pid: 42 });
  expect(frames[1]?.header.attachment).toBe(attachment.length);
  expect([...(frames[1]?.attachment ?? [])]).toEqual([...attachment]);
  expect(frames[2]?.header.code).toBe('print("中文 😀\\n")\nx = 1');
  expect(frames[2]?.attachment).toBeUndefined();
  expect(frames[3]?.attachment?.length).toBe(0);
}

describe('encodeFrame', () => {
  it('writes one JSON line, then the attachment itself (not copied)', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const chunks = encodeFrame({ type: 'x', text: 'a\nb' }, bytes);
    expect(chunks).toHaveLength(2);
    expect(new TextDecoder().decode(chunks[0])).toBe('{"type":"x","text":"a\\nb","attachment":3}\n');
    expect(chunks[1]).toBe(bytes);
  });

  it('escapes lone surrogates so headers are valid UTF-8', () => {
    const [line] = encodeFrame({ text: 'bad \ud800 pair' });
    const text = new TextDecoder('utf-8', { fatal: true }).decode(line);
    expect(text).toContain('\\ud800');
    const [frame] = new FrameDecoder().push(line as Uint8Array);
    expect(frame?.header.text).toBe('bad \ud800 pair');
  });

  it('throws on values JSON cannot encode', () => {
    expect(() => encodeFrame({ value: 1n })).toThrow(TypeError);
  });
});

describe('FrameDecoder', () => {
  it('decodes a stream pushed in one chunk', () => {
    checkSample(new FrameDecoder().push(sample));
  });

  it('decodes a stream pushed byte by byte', () => {
    checkSample(decodeInChunks(sample, () => 1));
  });

  it('decodes a stream split at random places', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const next = random(seed);
      checkSample(decodeInChunks(sample, () => Math.floor(next() * 40)));
    }
  });

  it('reassembles a multi-megabyte header split over many chunks', () => {
    const code = `x = "${'a'.repeat(3 * 1024 * 1024)}"`;
    const stream = concat([...encodeFrame({ type: 'execute', id: 'h1', code }), ...encodeFrame({ type: 'shutdown' })]);
    const frames = decodeInChunks(stream, () => 65536);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.header.code).toBe(code);
  });

  it('reassembles a large attachment split over many chunks', () => {
    const payload = new Uint8Array(20 * 1024 * 1024);
    for (let index = 0; index < payload.length; index += 4099) payload[index] = index % 251;
    payload[payload.length - 1] = 7;
    const stream = concat([...encodeFrame({ type: 'load_context', id: 'h1' }, payload), ...encodeFrame({ type: 'next' })]);
    const frames = decodeInChunks(stream, (index) => (index % 2 === 0 ? 65536 : 1000));
    expect(frames).toHaveLength(2);
    const decoded = frames[0]?.attachment as Uint8Array;
    expect(decoded.length).toBe(payload.length);
    expect(Buffer.compare(Buffer.from(decoded), Buffer.from(payload))).toBe(0);
    expect(frames[1]?.header.type).toBe('next');
  });

  it('ignores blank lines and reports invalid lines to onInvalidLine', () => {
    const invalid: string[] = [];
    const decoder = new FrameDecoder({ onInvalidLine: (line) => invalid.push(line) });
    const text = '\nnot json\n[1,2]\n{"type":"ok"}\r\n';
    const frames = decoder.push(new TextEncoder().encode(text));
    expect(frames.map((frame) => frame.header)).toEqual([{ type: 'ok' }]);
    expect(invalid).toEqual(['not json', '[1,2]']);
  });

  it('throws ProtocolError on invalid lines without onInvalidLine', () => {
    const decoder = new FrameDecoder({ sandbox: 'test' });
    expect(() => decoder.push(new TextEncoder().encode('garbage\n'))).toThrow(ProtocolError);
  });

  it('throws ProtocolError on an invalid attachment size', () => {
    for (const size of ['-1', '1.5', '"3"']) {
      const decoder = new FrameDecoder();
      expect(() => decoder.push(new TextEncoder().encode(`{"attachment":${size}}\n`))).toThrow(ProtocolError);
    }
  });

  it('throws ProtocolError when a header exceeds maxHeaderBytes', () => {
    const decoder = new FrameDecoder({ maxHeaderBytes: 100 });
    decoder.push(new Uint8Array(60).fill(0x61));
    expect(decoder.bufferedBytes).toBe(60);
    expect(() => decoder.push(new Uint8Array(60).fill(0x61))).toThrow(ProtocolError);
  });
});
