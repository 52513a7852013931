import {
  ConfigurationError,
  ContextError,
  ProtocolError,
  RLMAbortError,
  SandboxError,
  SandboxSessionDeadError,
} from '../errors/index.js';
import { PROTOCOL_VERSION } from '../runtime/runtime-source.js';
import type {
  ContextInfo,
  ContextPayload,
  ExecuteOptions,
  ExecutionResult,
  HostBridge,
  HostToolInfo,
  LoadContextOptions,
  SandboxSessionV1,
} from '../spec/index.js';
import { FrameDecoder, encodeFrame, type DecodedFrame } from './frame-codec.js';
import type { FrameTransport, TransportExit } from './frame-transport.js';
import { HostCallDispatcher } from './host-call-dispatcher.js';
import { InterruptEscalation } from './interrupt-escalation.js';
import { RequestQueue, type RequestControl } from './request-queue.js';
import { parseContextInfo, parseExecutionResult } from './wire-conversions.js';
import type { ReadyFrame, ResponseFrame } from './wire-types.js';
import { DiagnosticTail, describeExit, errorMessage, startupFailedError, startupTimeoutError } from './session-diagnostics.js';

/** Settings of a {@link FrameSession}, after defaults. */
export interface FrameSessionSettings {
  readonly sandbox: string;
  readonly transport: FrameTransport;
  readonly host: HostBridge;
  readonly tools: readonly HostToolInfo[];
  readonly maxOutputChars: number;
  readonly startupTimeoutMs: number;
  readonly interruptGraceMs: number;
  readonly shutdownGraceMs: number;
}

type DeathReason = SandboxSessionDeadError['reason'];
interface PendingRequest {
  resolve(frame: ResponseFrame): void;
  reject(error: unknown): void;
}

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KILL_WAIT_MS = 2000;
const noop = (): void => {};
let sessionCounter = 0;

/**
 * A `SandboxSessionV1` speaking the frame protocol over a {@link FrameTransport}. Create it with
 * `createFrameSession`; sandbox packages only provide the transport.
 */
export class FrameSession implements SandboxSessionV1 {
  readonly id: string;
  readonly #settings: FrameSessionSettings;
  readonly #sandbox: string;
  readonly #decoder: FrameDecoder;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #hostCalls: HostCallDispatcher;
  readonly #requests = new RequestQueue();
  readonly #exitWaiters = new Set<() => void>();
  #state: 'starting' | 'ready' | 'dead' = 'starting';
  #deadError: SandboxSessionDeadError | undefined;
  #ready: { resolve(frame: ReadyFrame): void; reject(error: unknown): void } | undefined;
  #runtimeInfo: ReadyFrame | undefined;
  #nextId = 0;
  #writeChain: Promise<void> = Promise.resolve();
  readonly #stderr = new DiagnosticTail();
  #exit: TransportExit | undefined;
  readonly #escalation: InterruptEscalation;
  #destroyPromise: Promise<void> | undefined;

  /** @internal Use `createFrameSession`. */
  constructor(settings: FrameSessionSettings) {
    this.#settings = settings;
    this.#sandbox = settings.sandbox;
    this.id = `${settings.sandbox}-${++sessionCounter}`;
    this.#escalation = new InterruptEscalation(settings.interruptGraceMs);
    this.#hostCalls = new HostCallDispatcher(
      settings.host,
      (frame) => this.#send(frame),
      () => this.#state !== 'dead',
    );
    this.#decoder = new FrameDecoder({
      sandbox: settings.sandbox,
      onInvalidLine: (line, error) => this.#onInvalidLine(line, error),
    });
  }

  /** The runtime's `ready` frame (Python version, pid inside the sandbox), once started. */
  get runtimeInfo(): ReadyFrame | undefined {
    return this.#runtimeInfo;
  }

  /** The last few thousand characters the runtime process wrote on its own stderr (diagnostics). */
  get stderrTail(): string {
    return this.#stderr.text;
  }

  /** True until the session died or was destroyed. */
  get alive(): boolean {
    return this.#state !== 'dead';
  }

  // ------------------------------------------------------------------ startup

  /** @internal Starts the transport, waits for `ready`, configures. Cleans up and throws on failure. */
  async start(abortSignal: AbortSignal | undefined): Promise<void> {
    const { transport, startupTimeoutMs } = this.#settings;
    const ready = new Promise<ReadyFrame>((resolve, reject) => {
      this.#ready = { resolve, reject };
    });
    try {
      transport.start({
        onStdout: (chunk) => this.#onStdout(chunk),
        onStderr: (chunk) => this.#onStderr(chunk),
        onExit: (exit) => this.#onExit(exit),
      });
    } catch (error) {
      this.#markDead('crashed', 'The session failed to start.', { kill: false });
      await this.#shutdown(0);
      throw new SandboxError(`The ${this.#sandbox} sandbox's transport failed to start: ${errorMessage(error)}`, {
        sandbox: this.#sandbox,
        code: 'startup-failed',
        cause: error,
      });
    }
    const sequence = (async () => {
      const frame = await ready;
      if (frame.protocol !== PROTOCOL_VERSION) {
        throw new ProtocolError(
          `The runtime speaks protocol ${String(frame.protocol)} but this @rlms/core speaks ${PROTOCOL_VERSION}; ` +
            'use the rlms_runtime.py shipped with the same @rlms/core version.',
          { sandbox: this.#sandbox },
        );
      }
      this.#runtimeInfo = frame;
      this.#state = 'ready';
      const reply = await this.#request({
        type: 'configure',
        id: this.#newId(),
        tools: this.#settings.tools,
        maxOutputChars: this.#settings.maxOutputChars,
      });
      if (!reply.ok) {
        throw new ConfigurationError(`The sandbox runtime rejected the session settings: ${reply.error.message}`, {
          code: 'invalid-session-settings',
        });
      }
    })();
    sequence.catch(noop);
    let timer: NodeJS.Timeout | undefined;
    let onAbort = noop;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(startupTimeoutError(this.#sandbox, startupTimeoutMs, this.#stderr)), startupTimeoutMs);
      onAbort = () => reject(new RLMAbortError('Creating the sandbox session was aborted.', { cause: abortSignal?.reason }));
      if (abortSignal?.aborted === true) onAbort();
      abortSignal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([sequence, guard]);
    } catch (error) {
      this.#markDead('crashed', 'The session failed to start.', { kill: false });
      await this.#shutdown(0);
      throw error;
    } finally {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
    }
  }

  // ------------------------------------------------------------------ public API

  /** See `SandboxSessionV1.loadContext`. Errors: `ContextError` (bad payload, undecodable bytes), `RLMAbortError`, `SandboxSessionDeadError`. */
  loadContext(payload: ContextPayload, options: LoadContextOptions = {}): Promise<ContextInfo> {
    if (typeof payload !== 'object' || payload === null || (payload.format !== 'text' && payload.format !== 'json')) {
      return Promise.reject(
        new ContextError(`loadContext: format must be 'text' or 'json', got ${JSON.stringify(payload?.format)}.`),
      );
    }
    if (!(payload.bytes instanceof Uint8Array)) {
      return Promise.reject(
        new ContextError('loadContext: bytes must be a Uint8Array (encode a string with new TextEncoder().encode(text)).'),
      );
    }
    const variable = options.variableName ?? 'context';
    if (!PYTHON_IDENTIFIER.test(variable)) {
      return Promise.reject(
        new ConfigurationError(`loadContext: variableName must be a Python identifier, got ${JSON.stringify(variable)}.`),
      );
    }
    const { format, bytes } = payload;
    const { abortSignal } = options;
    return this.#schedule(abortSignal, 'Loading the context was aborted.', async () => {
      this.#assertAlive();
      const { transport } = this.#settings;
      let path: string | undefined;
      if (transport.uploadContext !== undefined) {
        try {
          path = await transport.uploadContext(bytes, abortSignal === undefined ? {} : { abortSignal });
        } catch (error) {
          if (abortSignal?.aborted === true) throw new RLMAbortError('Loading the context was aborted.', { cause: error });
          throw new ContextError(
            `Could not upload the context into the ${this.#sandbox} sandbox: ${errorMessage(error)}`,
            { cause: error },
          );
        }
        this.#assertAlive();
      }
      const id = this.#newId();
      const reply = await (path === undefined
        ? this.#request({ type: 'load_context', id, format, variable }, bytes)
        : this.#request({ type: 'load_context', id, format, variable, path }));
      if (!reply.ok) {
        throw new ContextError(
          `The context could not be loaded as ${format}: ${reply.error.type}: ${reply.error.message}` +
            (format === 'json' ? ' (check that the bytes are valid UTF-8 JSON, or load it as text).' : ''),
          { code: 'context-decode' },
        );
      }
      return parseContextInfo(reply.value, { sandbox: this.#sandbox });
    });
  }

  /**
   * See `SandboxSessionV1.execute`. With `timeoutMs`, the cell is interrupted (KeyboardInterrupt)
   * and the result has `timedOut: true`; code that does not stop within `interruptGraceMs` gets
   * the session killed and the promise rejects with `SandboxSessionDeadError` (reason `'timeout'`).
   * An abort rejects at once with `RLMAbortError` and interrupts the cell (killed after the grace
   * period if it does not stop). Calls are queued: one cell runs at a time.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    if (typeof code !== 'string') {
      return Promise.reject(new ConfigurationError(`execute(code): code must be a string, got ${typeof code}.`));
    }
    const { timeoutMs, abortSignal } = options;
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1)) {
      return Promise.reject(
        new ConfigurationError(`execute: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}.`),
      );
    }
    return this.#schedule(abortSignal, 'The execution was aborted.', async (control) => {
      this.#assertAlive();
      const id = this.#newId();
      let interruptedBy: 'timeout' | 'abort' | undefined;
      const reply = this.#request({ type: 'execute', id, code });
      control.onAbort = () => {
        if (interruptedBy !== undefined) return;
        interruptedBy = 'abort';
        this.#interrupt(id, 'aborted', undefined);
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              if (interruptedBy !== undefined) return;
              interruptedBy = 'timeout';
              this.#interrupt(id, 'timeout', timeoutMs);
            }, timeoutMs);
      try {
        const frame = await reply;
        if (!frame.ok) {
          throw new SandboxError(`The runtime could not run the code: ${frame.error.type}: ${frame.error.message}`, {
            sandbox: this.#sandbox,
            code: 'execute-failed',
          });
        }
        return parseExecutionResult(frame.value, { sandbox: this.#sandbox, timedOut: interruptedBy === 'timeout' });
      } finally {
        clearTimeout(timer);
        this.#escalation.stop();
        if (interruptedBy !== undefined) this.#hostCalls.abortAll('The cell that made this call was interrupted.');
        await this.#escalation.settled;
      }
    });
  }

  /** See `SandboxSessionV1.destroy`: asks the runtime to exit, kills it after `shutdownGraceMs`, frees the transport. Never throws. */
  destroy(): Promise<void> {
    this.#destroyPromise ??= (async () => {
      this.#markDead('destroyed', `The ${this.#sandbox} sandbox session was destroyed; create a new session.`, {
        kill: false,
        replace: true,
      });
      await this.#shutdown(this.#settings.shutdownGraceMs);
    })().catch(noop);
    return this.#destroyPromise;
  }

  // ------------------------------------------------------------------ requests

  #newId(): string {
    return `h${++this.#nextId}`;
  }

  #assertAlive(): void {
    if (this.#state === 'dead') throw this.#deadError ?? new SandboxSessionDeadError('The session is dead.', { sandbox: this.#sandbox, reason: 'crashed' });
  }

  /** Queues `work` behind earlier requests (see `RequestQueue`); rejects at once when the session is dead. */
  #schedule<T>(signal: AbortSignal | undefined, abortMessage: string, work: (control: RequestControl) => Promise<T>): Promise<T> {
    if (this.#state === 'dead') return Promise.reject(this.#deadError);
    return this.#requests.schedule(signal, abortMessage, work);
  }

  #request(header: Record<string, unknown> & { id: string }, attachment?: Uint8Array): Promise<ResponseFrame> {
    if (this.#state === 'dead') return Promise.reject(this.#deadError);
    return new Promise<ResponseFrame>((resolve, reject) => {
      this.#pending.set(header.id, { resolve, reject });
      try {
        this.#send(header, attachment);
      } catch (error) {
        this.#pending.delete(header.id);
        reject(error);
      }
    });
  }

  /** Queues one frame for writing. Throws synchronously when the header is not JSON-serialisable. */
  #send(header: Readonly<Record<string, unknown>>, attachment?: Uint8Array): void {
    const chunks = encodeFrame(header, attachment);
    const { transport } = this.#settings;
    this.#writeChain = this.#writeChain
      .then(async () => {
        for (const chunk of chunks) await transport.write(chunk);
      })
      .catch((error: unknown) => this.#onWriteError(error));
  }

  #onWriteError(error: unknown): void {
    if (this.#state === 'dead' || this.#exit !== undefined) return;
    // Usually the process died; give its exit notification (with code and stderr) a moment to arrive.
    setTimeout(() => {
      this.#markDead('crashed', `Lost the connection to the ${this.#sandbox} sandbox's runtime: ${errorMessage(error)}.${this.#stderr.suffix()}`, {
        kill: true,
        cause: error,
      });
    }, 200).unref();
  }

  // ------------------------------------------------------------------ interrupts

  #interrupt(id: string, reason: 'timeout' | 'aborted', timeoutMs: number | undefined): void {
    const grace = this.#settings.interruptGraceMs;
    const { transport } = this.#settings;
    this.#escalation.start(
      () => {
        if (this.#state !== 'dead') this.#send({ type: 'interrupt', id });
      },
      transport.interrupt === undefined ? undefined : () => transport.interrupt?.(),
      () => {
        const why =
          reason === 'timeout'
            ? `did not stop within ${grace} ms of being interrupted at its ${timeoutMs} ms timeout`
            : `did not stop within ${grace} ms of the execution being aborted`;
        this.#markDead(
          reason,
          `The code ${why} (it may catch KeyboardInterrupt or be stuck in native code), so the ${this.#sandbox} ` +
            'sandbox session was killed. Its Python state is lost; create a new session.',
          { kill: true },
        );
      },
    );
  }

  // ------------------------------------------------------------------ incoming bytes

  #onStdout(chunk: Uint8Array): void {
    let frames: DecodedFrame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.#protocolFailure(error);
      return;
    }
    for (const frame of frames) this.#onFrame(frame.header);
  }

  #onStderr(chunk: Uint8Array): void {
    this.#stderr.pushBytes(chunk);
  }

  #onInvalidLine(line: string, error: Error): void {
    if (this.#state === 'starting') {
      this.#stderr.push(`${line}\n`); // e.g. a sitecustomize printed before the runtime took over stdout
      return;
    }
    this.#protocolFailure(new ProtocolError(`Invalid frame from the runtime (${error.message}): ${line.slice(0, 200)}`, { sandbox: this.#sandbox }));
  }

  #protocolFailure(error: unknown): void {
    this.#markDead('crashed', `The ${this.#sandbox} sandbox broke the wire protocol: ${errorMessage(error)}`, {
      kill: true,
      cause: error,
    });
  }

  #onFrame(header: Readonly<Record<string, unknown>>): void {
    const id = header.id;
    switch (header.type) {
      case 'ready':
        this.#ready?.resolve(header as unknown as ReadyFrame);
        this.#ready = undefined;
        return;
      case 'response': {
        const pending = typeof id === 'string' ? this.#pending.get(id) : undefined;
        if (pending === undefined) return;
        this.#pending.delete(id as string);
        pending.resolve(header as unknown as ResponseFrame);
        return;
      }
      case 'host_call':
        if (typeof id === 'string' && this.#state !== 'dead') this.#hostCalls.dispatch(id, header.op, header.payload);
        return;
      case 'host_cancel':
        if (typeof id === 'string') this.#hostCalls.cancel(id);
        return;
      default:
        this.#stderr.push(`[rlms] ignored a frame of unknown type ${JSON.stringify(header.type)}\n`);
    }
  }

  // ------------------------------------------------------------------ death and cleanup

  #onExit(exit: TransportExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    for (const wake of this.#exitWaiters) wake();
    this.#exitWaiters.clear();
    if (this.#ready !== undefined) {
      this.#ready.reject(startupFailedError(this.#sandbox, exit, this.#stderr));
      this.#ready = undefined;
    }
    const reason: DeathReason = exit.reason === 'out-of-memory' ? 'out-of-memory' : 'crashed';
    const hint = reason === 'out-of-memory' || exit.signal === 'SIGKILL' ? ' It may have run out of memory.' : '';
    this.#markDead(
      reason,
      `The ${this.#sandbox} sandbox's Python runtime exited unexpectedly (${describeExit(exit)}).${hint} ` +
        `Its state is lost; create a new session.${this.#stderr.suffix()}`,
      { kill: true, cause: exit.error },
    );
  }

  /** Marks the session dead (once; `replace` overrides an earlier error), rejects what waits on it. */
  #markDead(reason: DeathReason, message: string, options: { kill: boolean; cause?: unknown; replace?: boolean }): void {
    const error = new SandboxSessionDeadError(message, { sandbox: this.#sandbox, reason, cause: options.cause });
    if (this.#state === 'dead') {
      if (options.replace === true) this.#deadError = error;
      return;
    }
    this.#state = 'dead';
    this.#deadError = error;
    this.#escalation.stop();
    this.#ready?.reject(error);
    this.#ready = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) request.reject(error);
    this.#hostCalls.abortAll('The sandbox session ended.');
    if (options.kill) void this.#kill();
  }

  async #kill(): Promise<void> {
    try {
      await this.#settings.transport.kill();
    } catch {
      // kill must not throw; nothing more we can do
    }
  }

  #waitForExit(ms: number): Promise<void> {
    if (this.#exit !== undefined || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#exitWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#exitWaiters.add(wake);
    });
  }

  /** Shutdown frame, wait up to `graceMs`, kill (always: reaps children), wait, close the transport. */
  async #shutdown(graceMs: number): Promise<void> {
    if (this.#exit === undefined && graceMs > 0) {
      try {
        this.#send({ type: 'shutdown' });
      } catch {
        // unreachable: the frame is plain JSON
      }
      await this.#waitForExit(graceMs);
    }
    await this.#kill();
    await this.#waitForExit(KILL_WAIT_MS);
    try {
      await this.#settings.transport.close?.();
    } catch {
      // close must not throw
    }
  }
}
