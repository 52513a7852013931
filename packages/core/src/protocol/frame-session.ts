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
import { FrameReader } from './frame-reader.js';
import type { FrameTransport, TransportExit } from './frame-transport.js';
import { FrameWriter } from './frame-writer.js';
import { ExecutionClock } from './execution-clock.js';
import { HostCallDispatcher } from './host-call-dispatcher.js';
import { InterruptEscalation } from './interrupt-escalation.js';
import { TransportLifecycle } from './transport-lifecycle.js';
import { RequestQueue, type RequestControl } from './request-queue.js';
import { parseContextInfo, parseExecutionResult } from './wire-conversions.js';
import { checkExecuteArguments, checkLoadContextArguments } from './session-arguments.js';
import type { ReadyFrame, ResponseFrame, RuntimeFrame } from './wire-types.js';
import { DiagnosticTail, describeExit, errorMessage, startupFailedError, startupTimeoutError } from './session-diagnostics.js';

/** Settings of a {@link FrameSession}, after defaults. */
export interface FrameSessionSettings {
  readonly sandbox: string;
  readonly transport: FrameTransport;
  readonly host: HostBridge;
  readonly tools: readonly HostToolInfo[];
  readonly maxOutputChars: number;
  /** Cap on one frame's header line and on one attachment from the runtime, in bytes. */
  readonly maxFrameBytes: number;
  readonly startupTimeoutMs: number;
  readonly interruptGraceMs: number;
  readonly shutdownGraceMs: number;
}

type DeathReason = SandboxSessionDeadError['reason'];
interface PendingRequest {
  resolve(frame: ResponseFrame): void;
  reject(error: unknown): void;
}

/** Host calls one session may have in flight at once (more are refused in Python). */
const MAX_HOST_CALLS_IN_FLIGHT = 1024;
/** Bytes of host-call frames in flight at once, as a multiple of `maxFrameBytes` (more are refused). */
const HOST_CALL_BYTES_IN_FLIGHT = 4;
/** Bytes of outgoing frames queued for a runtime that does not read them, as a multiple of `maxFrameBytes`. */
const QUEUED_WRITE_BYTES = 2;
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
  readonly #reader: FrameReader;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #hostCalls: HostCallDispatcher;
  readonly #requests = new RequestQueue();
  #state: 'starting' | 'ready' | 'dead' = 'starting';
  #deadError: SandboxSessionDeadError | undefined;
  #ready: { resolve(frame: ReadyFrame): void; reject(error: unknown): void } | undefined;
  #runtimeInfo: ReadyFrame | undefined;
  #nextId = 0;
  readonly #writer: FrameWriter;
  readonly #stderr = new DiagnosticTail();
  readonly #lifecycle: TransportLifecycle;
  readonly #escalation: InterruptEscalation;
  #destroyPromise: Promise<void> | undefined;
  /** The running cell's timeout clock (Python time and stalls, not time spent waiting on the host). */
  #clock: ExecutionClock | undefined;

  /** @internal Use `createFrameSession`. */
  constructor(settings: FrameSessionSettings) {
    this.#settings = settings;
    this.#sandbox = settings.sandbox;
    this.id = `${settings.sandbox}-${++sessionCounter}`;
    this.#escalation = new InterruptEscalation(settings.interruptGraceMs);
    this.#lifecycle = new TransportLifecycle(settings.transport);
    this.#hostCalls = new HostCallDispatcher(
      settings.host,
      (frame, attachment) => this.#writer.send(frame, attachment, true),
      () => this.#state !== 'dead',
      { maxCalls: MAX_HOST_CALLS_IN_FLIGHT, maxBytes: HOST_CALL_BYTES_IN_FLIGHT * settings.maxFrameBytes },
      { started: () => this.#clock?.callStarted(), ended: () => this.#clock?.callEnded(), progress: () => this.#clock?.progress() },
    );
    this.#reader = new FrameReader(settings.sandbox, settings.maxFrameBytes, {
      isStarting: () => this.#state === 'starting',
      onFrame: (frame, bytes) => this.#onFrame(frame, bytes),
      onNoise: (text) => this.#stderr.push(text),
      onProtocolError: (error) => this.#protocolFailure(error),
    });
    this.#writer = new FrameWriter({
      transport: settings.transport,
      maxQueuedBytes: QUEUED_WRITE_BYTES * settings.maxFrameBytes,
      onWriteError: (error) => this.#onWriteError(error),
      onOverflow: (queued) =>
        this.#reader.fail(
          new ProtocolError(
            `The ${this.#sandbox} sandbox's runtime stopped reading its input while it kept making host calls ` +
              `(${queued} bytes of answers queued); the session was killed.`,
            { sandbox: this.#sandbox },
          ),
        ),
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
        onStdout: (chunk) => {
          if (this.#state !== 'dead') this.#reader.push(chunk); // once killed, nothing it sends is read
        },
        onStderr: (chunk) => this.#stderr.pushBytes(chunk),
        onExit: (exit) => this.#onExit(exit),
      });
    } catch (error) {
      this.#markDead('crashed', 'The session failed to start.', { kill: false });
      await this.#lifecycle.shutdown(0, () => this.#send({ type: 'shutdown' }));
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
        maxFrameBytes: this.#settings.maxFrameBytes,
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
      await this.#lifecycle.shutdown(0, () => this.#send({ type: 'shutdown' }));
      throw error;
    } finally {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
    }
  }

  // ------------------------------------------------------------------ public API

  /** See `SandboxSessionV1.loadContext`. Errors: `ContextError` (bad payload, undecodable bytes), `RLMAbortError`, `SandboxSessionDeadError`. */
  loadContext(payload: ContextPayload, options: LoadContextOptions = {}): Promise<ContextInfo> {
    let variable: string;
    try {
      variable = checkLoadContextArguments(payload, options);
    } catch (error) {
      return Promise.reject(error);
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
   * once its Python time or a stall in its host calls reaches it (`ExecutionClock`), and the result
   * has `timedOut: true`; code that does not stop within `interruptGraceMs` gets
   * the session killed and the promise rejects with `SandboxSessionDeadError` (reason `'timeout'`).
   * An abort rejects at once with `RLMAbortError` and interrupts the cell (killed after the grace
   * period if it does not stop). Calls are queued: one cell runs at a time.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    try {
      checkExecuteArguments(code, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { timeoutMs, abortSignal } = options;
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
      const clock =
        timeoutMs === undefined
          ? undefined
          : new ExecutionClock(timeoutMs, () => {
              if (interruptedBy !== undefined) return;
              interruptedBy = 'timeout';
              this.#interrupt(id, 'timeout', timeoutMs);
            });
      this.#clock = clock;
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
        clock?.stop();
        if (this.#clock === clock) this.#clock = undefined;
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
      await this.#lifecycle.shutdown(this.#settings.shutdownGraceMs, () => this.#send({ type: 'shutdown' }));
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
    this.#writer.send(header, attachment);
  }

  #onWriteError(error: unknown): void {
    if (this.#state === 'dead' || this.#lifecycle.exit !== undefined) return;
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

  // ------------------------------------------------------------------ incoming frames

  #onFrame(frame: RuntimeFrame, bytes: number): void {
    switch (frame.type) {
      case 'ready':
        this.#ready?.resolve(frame);
        this.#ready = undefined;
        return;
      case 'response': {
        const pending = this.#pending.get(frame.id);
        if (pending === undefined) return;
        this.#pending.delete(frame.id);
        pending.resolve(frame);
        return;
      }
      case 'host_call':
        if (this.#hostCalls.has(frame.id)) {
          const message = `The ${this.#sandbox} sandbox's runtime reused the id of a host call in flight (${frame.id}).`;
          this.#reader.fail(new ProtocolError(message, { sandbox: this.#sandbox }));
        } else this.#hostCalls.dispatch(frame.id, frame.op, frame.payload, bytes);
        return;
      case 'host_cancel':
        this.#hostCalls.cancel(frame.id);
        return;
    }
  }

  /**
   * Kills the session at once. What waits on it (start-up, a running execute) rejects with the
   * `ProtocolError` itself, so the run ends with it instead of restarting a sandbox that attacks the
   * host; later calls reject with a `SandboxSessionDeadError` (reason `'crashed'`) whose cause it is.
   */
  #protocolFailure(error: ProtocolError): void {
    this.#markDead('crashed', `The ${this.#sandbox} sandbox broke the wire protocol: ${error.message}`, {
      kill: true,
      cause: error,
      rejectWith: error,
    });
  }

  // ------------------------------------------------------------------ death and cleanup

  #onExit(exit: TransportExit): void {
    if (!this.#lifecycle.recordExit(exit)) return;
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
  #markDead(
    reason: DeathReason,
    message: string,
    options: { kill: boolean; cause?: unknown; replace?: boolean; rejectWith?: Error },
  ): void {
    const error = new SandboxSessionDeadError(message, { sandbox: this.#sandbox, reason, cause: options.cause });
    if (this.#state === 'dead') {
      if (options.replace === true) this.#deadError = error;
      return;
    }
    this.#state = 'dead';
    this.#deadError = error;
    this.#escalation.stop();
    const rejection = options.rejectWith ?? error;
    this.#ready?.reject(rejection);
    this.#ready = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) request.reject(rejection);
    this.#hostCalls.abortAll('The sandbox session ended.');
    if (options.kill) void this.#lifecycle.kill();
  }
}
