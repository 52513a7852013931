import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ContextError,
  ProtocolError,
  SandboxError,
  SandboxSessionDeadError,
  isAbortError,
} from '../src/errors/index.js';
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

type Responder = (frame: DecodedFrame, runtime: FakeRuntime) => boolean | void;

/** An in-memory stand-in for rlms_runtime.py speaking the frame protocol. */
class FakeRuntime implements FrameTransport {
  handlers: FrameTransportHandlers | undefined;
  readonly received: DecodedFrame[] = [];
  readonly decoder = new FrameDecoder();
  kills = 0;
  closes = 0;
  uploadContext?: FrameTransport['uploadContext'];
  exited = false;
  responders: Responder[] = [];
  constructor(readonly options: { ready?: Record<string, unknown> | false; stderr?: string } = {}) {}

  start(handlers: FrameTransportHandlers): void {
    this.handlers = handlers;
    setTimeout(() => {
      if (this.options.stderr !== undefined) handlers.onStderr(new TextEncoder().encode(this.options.stderr));
      if (this.options.ready !== false) this.send(this.options.ready ?? { type: 'ready', protocol: PROTOCOL_VERSION, python: '3.12.1', pid: 7 });
    }, 1);
  }
  write(chunk: Uint8Array): void {
    for (const frame of this.decoder.push(chunk)) {
      this.received.push(frame);
      if (!this.responders.some((respond) => respond(frame, this) === true)) this.#default(frame);
    }
  }
  kill(): void {
    this.kills += 1;
    this.exit({ signal: 'SIGKILL' });
  }
  close(): void {
    this.closes += 1;
  }
  send(header: Record<string, unknown>): void {
    for (const chunk of encodeFrame(header)) this.handlers?.onStdout(chunk);
  }
  reply(frame: DecodedFrame, value: unknown): void {
    this.send({ type: 'response', id: frame.header.id, ok: true, value });
  }
  exit(exit: TransportExit): void {
    if (this.exited) return;
    this.exited = true;
    setTimeout(() => this.handlers?.onExit(exit), 1);
  }
  sent(type: string): DecodedFrame[] {
    return this.received.filter((frame) => frame.header.type === type);
  }
  #default(frame: DecodedFrame): void {
    const { header } = frame;
    if (header.type === 'configure') this.reply(frame, null);
    else if (header.type === 'load_context') {
      this.reply(frame, { type: 'str', length: frame.attachment?.length ?? 0, bytes: frame.attachment?.length ?? 0 });
    } else if (header.type === 'execute') {
      this.reply(frame, { stdout: `ran:${String(header.code)}`, stderr: '', error: null, final: null, truncatedChars: 0, durationMs: 1 });
    } else if (header.type === 'shutdown') this.exit({ code: 0 });
  }
}

const nullHost: HostBridge = { call: async () => null };

function open(runtime: FakeRuntime, options: Partial<FrameSessionOptions> = {}) {
  return createFrameSession({
    sandbox: 'fake',
    transport: runtime,
    host: nullHost,
    startupTimeoutMs: 2_000,
    interruptGraceMs: 200,
    shutdownGraceMs: 200,
    ...options,
  });
}

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

const interruptible: Responder = (frame, runtime) => {
  if (frame.header.type !== 'execute') {
    if (frame.header.type === 'interrupt') {
      const pending = runtime.sent('execute').at(-1) as DecodedFrame;
      const error = { type: 'KeyboardInterrupt', message: 'interrupted', traceback: 'KeyboardInterrupt\n' };
      runtime.reply(pending, { stdout: '', stderr: '', error, final: null, truncatedChars: 0, durationMs: 5 });
      return true;
    }
    return false;
  }
  return String(frame.header.code).includes('loop'); // never answers by itself
};

describe('createFrameSession startup', () => {
  it('configures tools and output limit, then executes', async () => {
    const runtime = new FakeRuntime();
    const session = await open(runtime, { tools: [{ name: 'search' }], maxOutputChars: 123 });
    expect(runtime.sent('configure')[0]?.header).toMatchObject({ tools: [{ name: 'search' }], maxOutputChars: 123 });
    expect(session.runtimeInfo?.pid).toBe(7);
    expect((await session.execute('x')).stdout).toBe('ran:x');
    await session.destroy();
  });

  it('times out with the stderr tail and cleans up the transport', async () => {
    const runtime = new FakeRuntime({ ready: false, stderr: 'boot trouble\n' });
    const error = await failure(open(runtime, { startupTimeoutMs: 50 }));
    expect(SandboxError.isInstance(error) && error.code).toBe('startup-timeout');
    expect((error as Error).message).toContain('boot trouble');
    expect(runtime.kills).toBeGreaterThan(0);
    expect(runtime.closes).toBe(1);
  });

  it('reports a process that exits before ready, with its spawn error as cause', async () => {
    const runtime = new FakeRuntime({ ready: false, stderr: 'Traceback: boom\n' });
    const spawnError = Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' });
    setTimeout(() => runtime.exit({ error: spawnError }), 5);
    const error = await failure(open(runtime));
    expect(SandboxError.isInstance(error) && error.code).toBe('startup-failed');
    expect((error as Error).cause).toBe(spawnError);
    expect(runtime.closes).toBe(1);
  });

  it('rejects another protocol version', async () => {
    const runtime = new FakeRuntime({ ready: { type: 'ready', protocol: 99, python: '3', pid: 1 } });
    expect(ProtocolError.isInstance(await failure(open(runtime)))).toBe(true);
  });

  it('tolerates lines printed before ready and surfaces a configure failure as ConfigurationError', async () => {
    const runtime = new FakeRuntime({ ready: false });
    runtime.responders.push((frame, rt) => {
      if (frame.header.type !== 'configure') return false;
      rt.send({ type: 'response', id: frame.header.id, ok: false, error: { type: 'ValueError', message: 'bad tool' } });
      return true;
    });
    setTimeout(() => {
      runtime.handlers?.onStdout(new TextEncoder().encode('sitecustomize says hi\n'));
      runtime.send({ type: 'ready', protocol: PROTOCOL_VERSION, python: '3.12', pid: 1 });
    }, 2);
    const error = await failure(open(runtime));
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('bad tool');
  });

  it('validates options before starting, and still cleans up the transport', async () => {
    const runtime = new FakeRuntime();
    expect(ConfigurationError.isInstance(await failure(open(runtime, { tools: [{ name: 'not valid' }] })))).toBe(true);
    expect(ConfigurationError.isInstance(await failure(open(runtime, { maxOutputChars: -1 })))).toBe(true);
    expect(runtime.handlers).toBeUndefined();
    expect(runtime.closes).toBe(2);
    const aborted = await failure(open(new FakeRuntime(), { abortSignal: AbortSignal.abort() }));
    expect(isAbortError(aborted)).toBe(true);
  });
});

describe('FrameSession requests', () => {
  it('runs executes one at a time, in order', async () => {
    const runtime = new FakeRuntime();
    const held: DecodedFrame[] = [];
    runtime.responders.push((frame) => {
      if (frame.header.type !== 'execute') return false;
      held.push(frame);
      return true;
    });
    const session = await open(runtime);
    const first = session.execute('a');
    const second = session.execute('b');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held.map((frame) => frame.header.code)).toEqual(['a']);
    runtime.reply(held[0] as DecodedFrame, { stdout: '1', stderr: '', error: null, final: null, truncatedChars: 0, durationMs: 1 });
    expect((await first).stdout).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held.map((frame) => frame.header.code)).toEqual(['a', 'b']);
    runtime.reply(held[1] as DecodedFrame, { stdout: '2', stderr: '', error: null, final: { value: 1, text: '1', variableName: null }, truncatedChars: 0, durationMs: 1 });
    expect(await second).toEqual({ stdout: '2', stderr: '', final: { value: 1, text: '1' }, truncatedChars: 0, durationMs: 1 });
    await session.destroy();
  });

  it('interrupts at timeoutMs and marks the result timedOut', async () => {
    const runtime = new FakeRuntime();
    runtime.responders.push(interruptible);
    const session = await open(runtime);
    const result = await session.execute('loop', { timeoutMs: 30 });
    expect(result.timedOut).toBe(true);
    expect(result.error?.type).toBe('KeyboardInterrupt');
    expect(runtime.sent('interrupt')[0]?.header.id).toBe(runtime.sent('execute')[0]?.header.id);
    expect((await session.execute('after')).stdout).toBe('ran:after');
    await session.destroy();
  });

  it('kills the session when the code ignores the interrupt', async () => {
    const runtime = new FakeRuntime();
    runtime.responders.push((frame) => frame.header.type === 'execute' || frame.header.type === 'interrupt');
    const session = await open(runtime, { interruptGraceMs: 60 });
    const error = await failure(session.execute('loop', { timeoutMs: 20 }));
    expect(SandboxSessionDeadError.isInstance(error) && error.reason).toBe('timeout');
    expect(runtime.kills).toBeGreaterThan(0);
    expect(SandboxSessionDeadError.isInstance(await failure(session.execute('x')))).toBe(true);
    await session.destroy();
  });

  it('rejects at once on abort and interrupts the cell', async () => {
    const runtime = new FakeRuntime();
    runtime.responders.push(interruptible);
    const session = await open(runtime);
    const controller = new AbortController();
    const running = session.execute('loop', { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    expect(isAbortError(await failure(running))).toBe(true);
    expect(runtime.sent('interrupt')).toHaveLength(1);
    expect((await session.execute('next')).stdout).toBe('ran:next');
    await session.destroy();
  });

  it('rejects pending requests with a crashed SandboxSessionDeadError when the process exits', async () => {
    const runtime = new FakeRuntime();
    runtime.responders.push((frame, rt) => {
      if (frame.header.type !== 'execute') return false;
      rt.handlers?.onStderr(new TextEncoder().encode('Segmentation fault\n'));
      rt.exit({ code: 139 });
      return true;
    });
    const session = await open(runtime);
    const error = await failure(session.execute('crash'));
    expect(SandboxSessionDeadError.isInstance(error) && error.reason).toBe('crashed');
    expect((error as Error).message).toContain('exit code 139');
    expect((error as Error).message).toContain('Segmentation fault');
    await session.destroy();
    expect(runtime.closes).toBe(1);
  });

  it('loads contexts as attachments or through uploadContext, and maps decode errors to ContextError', async () => {
    const runtime = new FakeRuntime();
    const session = await open(runtime);
    const info = await session.loadContext({ format: 'text', bytes: new Uint8Array([104, 105]) });
    expect(info).toEqual({ type: 'str', length: 2, bytes: 2 });
    expect([...(runtime.sent('load_context')[0]?.attachment ?? [])]).toEqual([104, 105]);
    runtime.responders.push((frame, rt) => {
      if (frame.header.type !== 'load_context') return false;
      rt.send({ type: 'response', id: frame.header.id, ok: false, error: { type: 'JSONDecodeError', message: 'Expecting value' } });
      return true;
    });
    const error = await failure(session.loadContext({ format: 'json', bytes: new Uint8Array([123]) }));
    expect(ContextError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('JSONDecodeError');
    await session.destroy();

    const uploads: Uint8Array[] = [];
    const uploading = new FakeRuntime();
    uploading.uploadContext = async (bytes) => {
      uploads.push(bytes);
      return '/sandbox/ctx.bin';
    };
    const other = await open(uploading);
    await other.loadContext({ format: 'json', bytes: new Uint8Array([49]) }, { variableName: 'doc' });
    expect(uploading.sent('load_context')[0]?.header).toMatchObject({ path: '/sandbox/ctx.bin', format: 'json', variable: 'doc' });
    expect(uploading.sent('load_context')[0]?.attachment).toBeUndefined();
    expect(uploads).toHaveLength(1);
    await other.destroy();
  });

  it('destroy() is idempotent: one shutdown frame, kill, one close; later calls reject', async () => {
    const runtime = new FakeRuntime();
    const session = await open(runtime);
    await Promise.all([session.destroy(), session.destroy()]);
    await session.destroy();
    expect(runtime.sent('shutdown')).toHaveLength(1);
    expect(runtime.kills).toBeGreaterThan(0);
    expect(runtime.closes).toBe(1);
    const error = await failure(session.execute('x'));
    expect(SandboxSessionDeadError.isInstance(error) && error.reason).toBe('destroyed');
  });
});

describe('FrameSession host calls', () => {
  async function withHost(call: (request: HostCall, signal: AbortSignal | undefined) => Promise<unknown>) {
    const runtime = new FakeRuntime();
    const session = await open(runtime, { host: { call: (request, options) => call(request, options?.abortSignal) } });
    const results = new Map<string, Record<string, unknown>>();
    runtime.responders.push((frame) => {
      if (frame.header.type !== 'host_result') return false;
      results.set(String(frame.header.id), frame.header as Record<string, unknown>);
      return true;
    });
    const waitResult = async (id: string) => {
      for (let i = 0; i < 200 && !results.has(id); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      return results.get(id);
    };
    return { runtime, session, waitResult };
  }

  it('answers host calls, mapping errors to Python exception types', async () => {
    const { runtime, session, waitResult } = await withHost(async (request) => {
      if (request.op === 'llm_query' && request.prompt === 'value-error') {
        throw Object.assign(new Error('too long'), { pythonType: 'ValueError' });
      }
      if (request.op === 'llm_query' && request.prompt === 'provider') {
        throw Object.assign(new Error('rate limited'), { name: 'ModelProviderError' });
      }
      if (request.op === 'tool') return { big: 1n };
      return request.op === 'llm_query' ? `ok:${request.prompt}` : undefined;
    });
    runtime.send({ type: 'host_call', id: 'p1', op: 'llm_query', payload: { prompt: 'hi', model: 'm' } });
    runtime.send({ type: 'host_call', id: 'p2', op: 'llm_query', payload: { prompt: 'value-error' } });
    runtime.send({ type: 'host_call', id: 'p3', op: 'llm_query', payload: { prompt: 'provider' } });
    runtime.send({ type: 'host_call', id: 'p4', op: 'tool', payload: { name: 't', args: {} } });
    runtime.send({ type: 'host_call', id: 'p5', op: 'rm_rf', payload: {} });
    runtime.send({ type: 'host_call', id: 'p6', op: 'rlm_query_batched', payload: { prompts: ['a'] } });
    expect(await waitResult('p1')).toMatchObject({ ok: true, value: 'ok:hi' });
    expect(await waitResult('p2')).toMatchObject({ ok: false, error: { type: 'ValueError', message: 'too long' } });
    expect(await waitResult('p3')).toMatchObject({ ok: false, error: { type: 'RuntimeError', message: 'ModelProviderError: rate limited' } });
    expect(await waitResult('p4')).toMatchObject({ ok: false, error: { type: 'TypeError' } });
    expect(await waitResult('p5')).toMatchObject({ ok: false, error: { type: 'TypeError' } });
    expect(await waitResult('p6')).toMatchObject({ ok: true, value: null });
    await session.destroy();
  });

  it('aborts a host call on host_cancel and on destroy, without answering cancelled calls', async () => {
    const signals: AbortSignal[] = [];
    const { runtime, session } = await withHost(
      (_request, signal) =>
        new Promise((_, reject) => {
          signals.push(signal as AbortSignal);
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    runtime.send({ type: 'host_call', id: 'p1', op: 'llm_query', payload: { prompt: 'a' } });
    runtime.send({ type: 'host_call', id: 'p2', op: 'llm_query', payload: { prompt: 'b' } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    runtime.send({ type: 'host_cancel', id: 'p1' });
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(runtime.sent('host_result')).toHaveLength(0);
    await session.destroy();
    expect(signals[1]?.aborted).toBe(true);
  });
});
