import { ConfigurationError, ContextError, ProtocolError, RLMAbortError, SandboxError, SandboxSessionDeadError, type ContextInfo, type ContextPayload, type ExecuteOptions, type ExecutionResult, type LoadContextOptions, type SandboxSessionV1 } from '@rlms/core/spec';
import { ExecutionClock, assertPythonIdentifier, parseContextInfo, parseExecutionResult } from '@rlms/core/sandbox';
import { mergeRawOutput } from './merge-raw-output.js';
import { SANDBOX_NAME, type PyodideWorkerHandle, type WorkerReply } from './pyodide-worker-handle.js';
import type { PyodideSnapshotSource } from './snapshot-cache.js';

let sessionCounter = 0;

/** Options the provider hands to each session. */
export interface PyodideSessionOptions {
  readonly maxOutputChars: number;
  readonly memoryLimitMiB: number;
  readonly interruptGraceMs: number;
  readonly transferContextBytes: boolean;
}

type Envelope = { ok: true; value: unknown } | { ok: false; error: { type: string; message: string } };

/** Reads the runtime's reply; `undefined` when it is not a reply at all (a protocol breach). */
function parseEnvelope(json: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (record['ok'] === true) return { ok: true, value: record['value'] };
  const error = (record['error'] ?? {}) as Record<string, unknown>;
  return { ok: false, error: { type: String(error['type'] ?? 'Error'), message: String(error['message'] ?? '') } };
}

/**
 * One persistent Python namespace in its own sandbox process. Obtain it from
 * `PyodideSandboxProvider.createSession()`; the constructor is internal.
 */
export class PyodideSandboxSession implements SandboxSessionV1 {
  readonly id = `pyodide-${++sessionCounter}`;
  private readonly handle: PyodideWorkerHandle;
  private readonly options: PyodideSessionOptions;

  /** @internal */
  constructor(handle: PyodideWorkerHandle, options: PyodideSessionOptions) {
    this.handle = handle;
    this.options = options;
  }

  /**
   * How this session's interpreter started: `'none'` booted CPython from scratch (the first
   * session, or snapshots off), `'memory'` restored the provider's snapshot, `'disk'` restored the
   * snapshot a previous process saved (`snapshotCacheDir`).
   */
  get snapshot(): PyodideSnapshotSource {
    return this.handle.snapshotSource;
  }

  /**
   * Loads `payload` as a variable (default `context`). Text is decoded as UTF-8 into a `str`,
   * JSON into `dict` / `list` / scalars. The bytes are written to the sandbox process (do not
   * change them until this resolves; with `transferContextBytes` they are moved and the caller's
   * buffer is detached) and freed on the JavaScript side as soon as Python has them.
   *
   * @throws ContextError when the payload is malformed or Python cannot decode it.
   * @throws SandboxSessionDeadError when the interpreter is gone (out of memory included).
   * @throws RLMAbortError when `abortSignal` fires.
   */
  async loadContext(payload: ContextPayload, options: LoadContextOptions = {}): Promise<ContextInfo> {
    const format = (payload as { format?: unknown } | null)?.format;
    if (typeof payload !== 'object' || payload === null || (format !== 'text' && format !== 'json' && format !== 'documents')) {
      throw new ContextError("loadContext(): `payload.format` must be 'text', 'json' or 'documents'.", { code: 'invalid-context' });
    }
    if (!(payload.bytes instanceof Uint8Array)) {
      throw new ContextError('loadContext(): `payload.bytes` must be a Uint8Array (encode text with TextEncoder).', {
        code: 'invalid-context',
      });
    }
    const variable = options.variableName ?? 'context';
    assertPythonIdentifier(variable, 'loadContext(): `variableName`', 'invalid-argument');
    this.throwIfDead();
    const size = payload.bytes.byteLength; // before a transfer detaches it
    const bytes = this.prepareBytes(payload.bytes);
    const { reply } = await this.interruptible(
      () => this.handle.request({ type: 'load-context', format: payload.format, variable, bytes }),
      undefined,
      options.abortSignal,
    );
    const envelope = this.envelope(reply);
    if (!envelope.ok) {
      const { type, message } = envelope.error;
      if (type === 'MemoryError') {
        throw new ContextError(
          `The ${payload.format} context (${size} bytes) does not fit in the sandbox's ${this.options.memoryLimitMiB} MiB ` +
            'heap. Raise `memoryLimitMiB` in createPyodideSandbox() or load less data.',
          { code: 'context-too-large' },
        );
      }
      throw new ContextError(`Could not load the ${payload.format} context (${size} bytes): ${type}: ${message}`, {
        code: 'invalid-context',
      });
    }
    return this.readReply(() => parseContextInfo(envelope.value, { sandbox: SANDBOX_NAME }));
  }

  /**
   * Runs one cell. Python exceptions are results (`error`), not rejections. With `timeoutMs`,
   * the code is interrupted with `KeyboardInterrupt` (result `timedOut: true`, session usable);
   * if it does not stop within `interruptGraceMs`, its sandbox process is killed.
   *
   * @throws SandboxSessionDeadError when the interpreter is gone (timeout it ignored, crash, out of memory, destroyed).
   * @throws RLMAbortError when `abortSignal` fires (the code is interrupted first).
   */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    if (typeof code !== 'string') {
      throw new ConfigurationError('execute(): `code` must be a string of Python source.', { code: 'invalid-argument' });
    }
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs))) {
      throw new ConfigurationError(`execute(): \`timeoutMs\` must be a positive number of milliseconds, got ${String(timeoutMs)}.`, {
        code: 'invalid-argument',
      });
    }
    this.throwIfDead();
    const { reply, timedOut } = await this.interruptible(
      () => this.handle.request({ type: 'execute', code }),
      timeoutMs,
      options.abortSignal,
    );
    const envelope = this.envelope(reply);
    if (!envelope.ok) {
      throw new SandboxError(`execute() failed inside the sandbox: ${envelope.error.type}: ${envelope.error.message}`, {
        sandbox: SANDBOX_NAME,
      });
    }
    return this.readReply(() => this.toExecutionResult(envelope.value, reply, timedOut));
  }

  /** Kills the sandbox process. Idempotent; never throws. Later calls reject with `SandboxSessionDeadError`. */
  async destroy(): Promise<void> {
    await this.handle.terminate('destroyed', `session ${this.id} was destroyed`).catch(() => undefined);
  }

  /** @internal Sends the configure request (tools, output limit, frame cap); called once by the provider. */
  async configure(config: { tools: readonly unknown[]; maxOutputChars: number; maxFrameBytes: number }, maxFrameBytes: number): Promise<void> {
    const reply = await this.handle.request({ type: 'configure', configJson: JSON.stringify(config), maxFrameBytes });
    const envelope = this.envelope(reply);
    if (!envelope.ok) {
      throw new ConfigurationError(
        `The Python runtime rejected the session configuration: ${envelope.error.type}: ${envelope.error.message}`,
        { code: 'invalid-tools' },
      );
    }
  }

  /** The reply's envelope; a reply that is not one ends the session (the sandbox broke the protocol). */
  private envelope(reply: WorkerReply): Envelope {
    const envelope = parseEnvelope(reply.json);
    if (!envelope) throw this.handle.protocolFailure('it sent a reply that is not the runtime\'s JSON');
    return envelope;
  }

  /** Runs a reply parser; a malformed reply (`ProtocolError`) ends the session. */
  private readReply<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (ProtocolError.isInstance(error)) throw this.handle.protocolFailure(error.message);
      throw error;
    }
  }

  private throwIfDead(): void {
    const error = this.handle.deathError;
    if (error) throw error;
  }

  /** The bytes to write: the caller's view, or (`transferContextBytes`) its buffer moved here, detaching it. */
  private prepareBytes(source: Uint8Array): Uint8Array {
    const owned =
      source.buffer instanceof ArrayBuffer && source.byteOffset === 0 && source.byteLength === source.buffer.byteLength;
    if (this.options.transferContextBytes && owned) {
      const buffer = source.buffer as ArrayBuffer;
      return new Uint8Array(structuredClone(buffer, { transfer: [buffer] }));
    }
    return source;
  }

  /** Runs a request; on timeout or abort interrupts Python, then kills the sandbox process after the grace period. */
  private async interruptible(
    send: () => Promise<WorkerReply>,
    timeoutMs: number | undefined,
    abortSignal: AbortSignal | undefined,
  ): Promise<{ reply: WorkerReply; timedOut: boolean }> {
    if (abortSignal?.aborted) throw new RLMAbortError(undefined, { cause: abortSignal.reason });
    let interruptedBy: 'timeout' | 'abort' | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const interrupt = (why: 'timeout' | 'abort'): void => {
      if (interruptedBy) return;
      interruptedBy = why;
      this.handle.interrupt();
      const grace = this.options.interruptGraceMs;
      graceTimer = setTimeout(() => {
        const cause = why === 'timeout' ? `the ${String(timeoutMs)} ms timeout` : 'the abort';
        void this.handle.terminate(
          why === 'timeout' ? 'timeout' : 'aborted',
          `Python did not stop within ${grace} ms after ${cause} interrupted it, so its sandbox process was killed`,
        );
      }, grace);
    };
    // Counts Python time and stalls, not time spent waiting on sub-calls (see ExecutionClock).
    const clock = timeoutMs === undefined ? undefined : new ExecutionClock(timeoutMs, () => interrupt('timeout'));
    this.handle.activity = clock === undefined ? undefined : { started: () => clock.callStarted(), ended: () => clock.callEnded(), progress: () => clock.progress() };
    const onAbort = (): void => interrupt('abort');
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await send();
      if (interruptedBy === 'abort') throw new RLMAbortError(undefined, { cause: abortSignal?.reason });
      return { reply, timedOut: interruptedBy === 'timeout' };
    } catch (error) {
      if (interruptedBy === 'abort' && SandboxSessionDeadError.isInstance(error)) {
        throw new RLMAbortError(undefined, { cause: error });
      }
      throw error;
    } finally {
      clock?.stop();
      this.handle.activity = undefined;
      clearTimeout(graceTimer);
      abortSignal?.removeEventListener('abort', onAbort);
    }
  }

  private toExecutionResult(value: unknown, reply: WorkerReply, timedOut: boolean): ExecutionResult {
    const result = parseExecutionResult(value, { sandbox: SANDBOX_NAME, timedOut });
    if (reply.rawStdout === undefined && reply.rawStderr === undefined) return result;
    const max = this.options.maxOutputChars;
    const stdout = mergeRawOutput(result.stdout, reply.rawStdout, max);
    const stderr = mergeRawOutput(result.stderr, reply.rawStderr, max);
    return {
      ...result,
      stdout: stdout.text,
      stderr: stderr.text,
      truncatedChars: (result.truncatedChars ?? 0) + stdout.cut + stderr.cut,
    };
  }
}
