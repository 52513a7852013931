/**
 * Bounded, validated frames from the runtime (security issue 19, finding 2): the decoder refuses
 * headers and attachments over `maxFrameBytes` before buffering them, every runtime frame is
 * checked before the host acts on it, and a session that breaks the protocol is killed with a
 * `ProtocolError`.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, ProtocolError, SandboxSessionDeadError } from '../src/errors/index.js';
import {
  FrameDecoder,
  createFrameSession,
  encodeFrame,
  type DecodedFrame,
  type FrameSessionOptions,
  type FrameTransport,
  type FrameTransportHandlers,
  type TransportExit,
} from '../src/protocol/index.js';
import { PROTOCOL_VERSION } from '../src/runtime/runtime-source.js';
import type { HostBridge, HostCall } from '../src/spec/index.js';

const encoder = new TextEncoder();
const CAP = 65_536;

/** A scripted runtime: answers configure, and lets the test write raw bytes on its stdout. */
class RawRuntime implements FrameTransport {
  handlers: FrameTransportHandlers | undefined;
  readonly decoder = new FrameDecoder();
  readonly received: DecodedFrame[] = [];
  kills = 0;
  /** When false, writes never complete (a runtime that stopped reading its input). */
  reading = true;

  start(handlers: FrameTransportHandlers): void {
    this.handlers = handlers;
    setTimeout(() => this.send({ type: 'ready', protocol: PROTOCOL_VERSION, python: '3.12.1', pid: 7 }), 1);
  }
  write(chunk: Uint8Array): void | Promise<void> {
    if (!this.reading) return new Promise<void>(() => undefined);
    for (const frame of this.decoder.push(chunk)) {
      this.received.push(frame);
      if (frame.header.type === 'configure') this.send({ type: 'response', id: frame.header.id, ok: true, value: null });
      if (frame.header.type === 'shutdown') this.exit({ code: 0 });
    }
    return undefined;
  }
  kill(): void {
    this.kills += 1;
    this.exit({ signal: 'SIGKILL' });
  }
  exited = false;
  exit(exit: TransportExit): void {
    if (this.exited) return;
    this.exited = true;
    setTimeout(() => this.handlers?.onExit(exit), 1);
  }
  send(header: Record<string, unknown>, attachment?: Uint8Array): void {
    for (const chunk of encodeFrame(header, attachment)) this.raw(chunk);
  }
  raw(bytes: Uint8Array | string): void {
    this.handlers?.onStdout(typeof bytes === 'string' ? encoder.encode(bytes) : bytes);
  }
  sent(type: string): DecodedFrame[] {
    return this.received.filter((frame) => frame.header.type === type);
  }
}

const nullHost: HostBridge = { call: async () => null };
const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);
const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function open(runtime: RawRuntime, options: Partial<FrameSessionOptions> = {}) {
  return createFrameSession({
    sandbox: 'fake',
    transport: runtime,
    host: nullHost,
    maxFrameBytes: CAP,
    startupTimeoutMs: 2_000,
    shutdownGraceMs: 50,
    ...options,
  });
}

/** Starts an execute that the runtime never answers by itself, so the test can play the attack. */
async function executing(options: Partial<FrameSessionOptions> = {}) {
  const runtime = new RawRuntime();
  const session = await open(runtime, options);
  const result = failure(session.execute('attack()'));
  await tick();
  return { runtime, session, result };
}

describe('FrameDecoder limits', () => {
  it('refuses an announced attachment over the cap before buffering any of it', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: CAP });
    expect(() => decoder.push(encoder.encode('{"type":"host_call","attachment":2147483648}\n'))).toThrow(/2147483648 bytes/);
    expect(decoder.bufferedBytes).toBe(0);
    // Spent: whatever follows is refused too.
    expect(() => decoder.push(encoder.encode('{"type":"ok"}\n'))).toThrow(ProtocolError);
  });

  it('refuses a header line over the cap, in one chunk or split over many', () => {
    const oneChunk = new FrameDecoder({ maxFrameBytes: CAP });
    expect(() => oneChunk.push(encoder.encode(`{"x":"${'a'.repeat(CAP)}"}\n`))).toThrow(ProtocolError);
    const split = new FrameDecoder({ maxFrameBytes: CAP });
    const piece = new Uint8Array(4096).fill(0x61);
    let thrown: unknown;
    for (let index = 0; index < 100 && thrown === undefined; index += 1) {
      try {
        split.push(piece);
      } catch (error) {
        thrown = error;
      }
    }
    expect(ProtocolError.isInstance(thrown)).toBe(true);
    expect(split.bufferedBytes).toBe(0);
  });

  it('accepts frames at the cap, and grows an attachment buffer as its bytes arrive', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: CAP });
    const payload = new Uint8Array(CAP).map((_, index) => index % 251);
    const stream = encodeFrame({ type: 'blob' }, payload);
    expect(decoder.push(stream[0] as Uint8Array)).toEqual([]);
    const frames: DecodedFrame[] = [];
    for (let at = 0; at < payload.length; at += 1000) frames.push(...decoder.push(payload.subarray(at, at + 1000)));
    expect(frames).toHaveLength(1);
    expect(Buffer.compare(Buffer.from(frames[0]?.attachment as Uint8Array), Buffer.from(payload))).toBe(0);
    expect(frames[0]?.headerBytes).toBe((stream[0] as Uint8Array).length - 1);
  });
});

describe('FrameSession: frames over the cap or off the protocol kill the session', () => {
  it('sends the cap to the runtime in configure, and refuses a cap under 64 KiB', async () => {
    const runtime = new RawRuntime();
    const session = await open(runtime, { maxFrameBytes: 1 << 20 });
    expect(runtime.sent('configure')[0]?.header).toMatchObject({ maxFrameBytes: 1 << 20 });
    await session.destroy();
    expect(ConfigurationError.isInstance(await failure(open(new RawRuntime(), { maxFrameBytes: 1000 })))).toBe(true);
  });

  it('an attachment announced over the cap: the execute rejects with a ProtocolError, the runtime is killed', async () => {
    const { runtime, session, result } = await executing();
    runtime.raw('{"type":"host_call","id":"x","op":"llm_query","payload":{},"attachment":2147483648}\n');
    runtime.raw(new Uint8Array(1 << 20)); // never buffered
    const error = await result;
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/over the limit of 65536 bytes/);
    expect(runtime.kills).toBeGreaterThan(0);
    const later = await failure(session.execute('x'));
    expect(SandboxSessionDeadError.isInstance(later) && later.reason).toBe('crashed');
    expect(ProtocolError.isInstance((later as Error).cause)).toBe(true);
    await session.destroy();
  });

  it('a header that never ends: killed once the cap is reached', async () => {
    const { runtime, session, result } = await executing();
    const junk = encoder.encode(`{"type":"response","id":"h2","value":"${'a'.repeat(8192)}`);
    for (let index = 0; index < 20; index += 1) runtime.raw(junk);
    expect(ProtocolError.isInstance(await result)).toBe(true);
    expect(runtime.kills).toBeGreaterThan(0);
    await session.destroy();
  });

  it.each([
    ['an unknown frame type', { type: 'hello', id: 'x' }],
    ['a response without a string id', { type: 'response', id: 3, ok: true, value: null }],
    ['a failed response without an error object', { type: 'response', id: 'h2', ok: false, error: 'boom' }],
    ['a host_call without a payload object', { type: 'host_call', id: 'p1', op: 'llm_query', payload: 'hi' }],
    ['a host_call whose op is not a string', { type: 'host_call', id: 'p1', op: 1, payload: {} }],
    ['a host_cancel with an overlong id', { type: 'host_cancel', id: 'p'.repeat(100) }],
  ])('%s is a ProtocolError', async (_name, frame) => {
    const { runtime, session, result } = await executing();
    runtime.send(frame);
    expect(ProtocolError.isInstance(await result)).toBe(true);
    expect(runtime.kills).toBeGreaterThan(0);
    await session.destroy();
  });

  it('an attachment on a frame that takes none, or promptBytes that do not add up, is a ProtocolError', async () => {
    for (const [header, bytes] of [
      [{ type: 'response', id: 'h2', ok: true, value: null }, encoder.encode('x')],
      [{ type: 'host_call', id: 'p1', op: 'llm_query', payload: {}, promptBytes: [5] }, encoder.encode('abc')],
      [{ type: 'host_call', id: 'p1', op: 'llm_query', payload: {}, promptBytes: [1, 2] }, encoder.encode('abc')],
      [{ type: 'host_call', id: 'p1', op: 'tool', payload: {}, promptBytes: [3] }, encoder.encode('abc')],
    ] as const) {
      const { runtime, session, result } = await executing();
      runtime.send(header, bytes);
      expect(ProtocolError.isInstance(await result)).toBe(true);
      await session.destroy();
    }
  });

  it('a host_call id reused while the first call is in flight is a ProtocolError', async () => {
    const { runtime, session, result } = await executing({ host: { call: () => new Promise(() => undefined) } });
    runtime.send({ type: 'host_call', id: 'p1', op: 'llm_query', payload: { prompt: 'a' } });
    runtime.send({ type: 'host_call', id: 'p1', op: 'llm_query', payload: { prompt: 'b' } });
    expect(ProtocolError.isInstance(await result)).toBe(true);
    await session.destroy();
  });

  it('frames before ready are tolerated as noise (a sitecustomize may print JSON)', async () => {
    const runtime = new RawRuntime();
    const start = runtime.start.bind(runtime);
    runtime.start = (handlers) => {
      start(handlers);
      runtime.raw('{"hello":"from sitecustomize"}\n');
    };
    const session = await open(runtime);
    expect(session.stderrTail).toContain('sitecustomize');
    await session.destroy();
  });
});

describe('FrameSession host calls: prompts as attachments, bounded in flight', () => {
  async function withHost(call: (request: HostCall) => Promise<unknown>) {
    const requests: HostCall[] = [];
    const { runtime, session, result } = await executing({
      host: {
        call: (request) => {
          requests.push(request);
          return call(request);
        },
      },
    });
    return { runtime, session, result, requests };
  }

  it('decodes prompts sent as a UTF-8 attachment (promptBytes)', async () => {
    const { runtime, session, requests } = await withHost(async () => 'ok');
    const first = encoder.encode('héllo 😀');
    const second = encoder.encode('line\nbreak');
    runtime.send({ type: 'host_call', id: 'p1', op: 'llm_query', payload: { model: 'm' }, promptBytes: [first.length] }, first);
    const both = new Uint8Array([...first, ...second]);
    runtime.send({ type: 'host_call', id: 'p2', op: 'llm_query_batched', payload: {}, promptBytes: [first.length, second.length] }, both);
    runtime.raw('\n'); // the blank line a runtime writes after an attachment is skipped
    await tick(20);
    expect(requests).toEqual([
      { op: 'llm_query', prompt: 'héllo 😀', model: 'm' },
      { op: 'llm_query_batched', prompts: ['héllo 😀', 'line\nbreak'] },
    ]);
    expect(session.alive).toBe(true);
    await session.destroy();
  });

  it('refuses (RuntimeError in Python) host calls past the bytes held in flight, without killing the session', async () => {
    const { runtime, session, requests } = await withHost(() => new Promise(() => undefined));
    const answers: Record<string, unknown>[] = [];
    const write = runtime.write.bind(runtime);
    runtime.write = (chunk) => {
      const before = runtime.received.length;
      const done = write(chunk);
      for (const frame of runtime.received.slice(before)) if (frame.header.type === 'host_result') answers.push(frame.header);
      return done;
    };
    const prompt = encoder.encode('x'.repeat(CAP - 200));
    for (let index = 1; index <= 6; index += 1) {
      runtime.send({ type: 'host_call', id: `p${index}`, op: 'llm_query', payload: {}, promptBytes: [prompt.length] }, prompt);
    }
    await tick(20);
    expect(requests).toHaveLength(4); // 4 × maxFrameBytes in flight
    expect(answers.map((answer) => answer.id)).toEqual(['p5', 'p6']);
    expect(answers[0]).toMatchObject({ ok: false, error: { type: 'RuntimeError' } });
    expect(session.alive).toBe(true);
    await session.destroy();
  });

  it('kills a runtime that stops reading its input while it keeps making host calls', async () => {
    const { runtime, session, result } = await withHost(async () => 'y'.repeat(4000));
    runtime.reading = false;
    for (let index = 1; index <= 100; index += 1) {
      runtime.send({ type: 'host_call', id: `p${index}`, op: 'llm_query', payload: { prompt: 'q' } });
      await tick(0);
    }
    await tick(20);
    const error = await result;
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/stopped reading its input/);
    await session.destroy();
  });
});
