import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ProtocolError, SandboxError, SandboxSessionDeadError, type HostBridge } from '@rlms/core/spec';
import { type HostCallActivity } from '@rlms/core/sandbox';
import { MemoryWatchdog } from './memory-watchdog.js';
import { SandboxHostCalls } from './sandbox-host-calls.js';
import { SandboxFrameError, checkSandboxFrame, type CheckedFrame } from './sandbox-frame-guard.js';
import type { PyodideSnapshotSource } from './snapshot-cache.js';
import { pyodideLocation, spawnSandboxProcess } from './spawn-sandbox-process.js';
import { FrameDecoder, FrameViolation, encodeFrame, type ChannelFrame } from './worker/channel-frames.js';
import type { BootFrame, ControlFrame, RequestFrame, SandboxFrame } from './worker/channel-messages.js';
import { RAW_OUTPUT_LIMIT } from './worker/raw-output.js';

/** Name of this sandbox in errors. */
export const SANDBOX_NAME = 'pyodide';

/** How often a host call blocked in Python wakes to look at the interrupt buffer, in milliseconds. */
const HOST_POLL_MS = 25;
/** The end of the sandbox process's stderr kept for error messages, in characters. */
const STDERR_TAIL_CHARS = 2000;
const MIB = 1024 * 1024;
/** A frame header is one JSON string in V8 (≤ ~512 MiB); no legitimate one comes near this. */
const MAX_HEADER_BYTES = 256 * MIB;

type DeathReason = SandboxSessionDeadError['reason'];

/** What a successful request returned. */
export interface WorkerReply {
  /** JSON text of `{"ok": true, "value": ...}` or `{"ok": false, "error": {...}}`. */
  readonly json: string;
  readonly rawStdout?: string;
  readonly rawStderr?: string;
}

export interface WorkerHandleOptions {
  readonly runtimeSource: string;
  readonly snapshot?: Uint8Array;
  /** Where `snapshot` came from (`'none'` without one). */
  readonly snapshotSource: PyodideSnapshotSource;
  readonly makeSnapshot: boolean;
  readonly memoryLimitBytes: number;
  /** V8 old-generation limit of the Pyodide thread's JavaScript heap, in MiB. */
  readonly jsHeapLimitMiB: number;
  /** Resident memory above which the sandbox process is killed, in bytes. */
  readonly processMemoryLimitBytes: number;
  /** `RLIMIT_DATA` of the sandbox process (its writable virtual memory), in MiB. */
  readonly processDataLimitMiB: number;
  /** Test-only: ES module source callable from Python (see `testing/`). */
  readonly testHookSource?: string;
}

/** Default cap of one message from the sandbox until a session sets its own (`maxFrameBytes`). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * MIB;

/**
 * Largest response header a legitimate sandbox sends: stdout and stderr of `maxOutputChars` each,
 * plus the output written straight to fd 1/2 (at most `RAW_OUTPUT_LIMIT` characters each), all
 * JSON-escaped (≤ 6 bytes a character), plus room for the rest of the result.
 */
function responseCap(maxOutputChars: number): number {
  return Math.min(MAX_HEADER_BYTES, 6 * (2 * maxOutputChars + 2 * RAW_OUTPUT_LIMIT) + MIB);
}

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: unknown): void;
}

/** Request a session sends: a frame minus its id; `load-context` adds its bytes. */
export type HandleRequest =
  | Omit<Extract<RequestFrame, { type: 'configure' }>, 'id'>
  | (Omit<Extract<RequestFrame, { type: 'load-context' }>, 'id'> & { readonly bytes: Uint8Array })
  | Omit<Extract<RequestFrame, { type: 'execute' }>, 'id'>;

/**
 * Host side of one sandbox process (a `node` child running Pyodide in a worker thread): boots it,
 * moves requests and host calls as capped frames, interrupts it, watches its memory, and turns
 * every way it can die or misbehave into `SandboxSessionDeadError`.
 *
 * Nothing the process sends is trusted: each frame is capped before it is buffered
 * (`maxFrameBytes`, the snapshot at boot by the memory limit), checked against the protocol's
 * shapes and state before it is acted on, and any breach kills the process
 * (`SandboxSessionDeadError` reason `'crashed'`, `cause` a `ProtocolError`).
 */
export class PyodideWorkerHandle {
  /** Resolves once Python is up and locked down; rejects with `SandboxError` when it cannot start. */
  readonly ready: Promise<{ pythonVersion: string }>;
  /**
   * The sandbox process, as far as a test that simulates a crash needs it: `terminate()` kills it
   * (SIGKILL) and resolves once it exited. (The reliability tests' `killPyodideWorker` uses it.)
   */
  readonly worker: { terminate(): Promise<number> };
  /** Where this sandbox's interpreter came from: booted from scratch, the pool's snapshot, or disk. */
  readonly snapshotSource: PyodideSnapshotSource;
  private readonly child: ChildProcess;
  private readonly channel: Writable & Readable & { ref?(): void; unref?(): void };
  private readonly decoder: FrameDecoder;
  private readonly watchdog: MemoryWatchdog | undefined;
  private readonly exited: Promise<number>;
  private readonly pending = new Map<number, Pending>();
  private readonly hostCalls = new SandboxHostCalls();
  private bridge: HostBridge | undefined;
  /** The running cell's clock, told when its host calls start, progress and end (set by the session). */
  activity: HostCallActivity | undefined;
  private nextId = 1;
  private deadError: SandboxSessionDeadError | undefined;
  private resolveReady!: (value: { pythonVersion: string }) => void;
  private rejectReady!: (error: unknown) => void;
  private snapshot: Uint8Array | undefined;
  private readyDone = false;
  private pooled = false;
  private fatal: Extract<SandboxFrame, { type: 'fatal' }> | undefined;
  private stderrTail = '';
  private readonly makesSnapshot: boolean;

  constructor(options: WorkerHandleOptions) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Handled through `ready`; this keeps an unobserved boot failure from being unhandled.
    this.ready.catch(() => undefined);
    this.makesSnapshot = options.makeSnapshot;
    this.snapshotSource = options.snapshot ? options.snapshotSource : 'none';
    // Before `ready` only the snapshot may be large, and it is never larger than the heap it copies.
    this.decoder = new FrameDecoder({
      header: DEFAULT_MAX_FRAME_BYTES,
      attachment: options.makeSnapshot ? options.memoryLimitBytes : DEFAULT_MAX_FRAME_BYTES,
    });
    this.child = spawnSandboxProcess({ dataLimitMiB: options.processDataLimitMiB });
    this.channel = this.child.stdio[3] as PyodideWorkerHandle['channel'];
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        resolve(code ?? 128);
        this.onExit(code, signal);
      });
      // A process that could not be started never exits.
      this.child.once('error', () => {
        if (this.child.pid === undefined) resolve(127);
      });
    });
    this.worker = {
      terminate: async () => {
        this.child.kill('SIGKILL');
        return this.exited;
      },
    };
    this.child.once('error', (error) => this.die('crashed', `the Pyodide sandbox process could not run: ${error.message}`, error));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    this.channel.on('data', (chunk: Buffer) => this.onData(chunk));
    this.channel.on('error', () => undefined); // the exit handler reports the death
    const pid = this.child.pid;
    this.watchdog =
      pid === undefined
        ? undefined
        : new MemoryWatchdog(pid, options.processMemoryLimitBytes, (bytes) => {
            this.die(
              'out-of-memory',
              `the Pyodide sandbox process used ${Math.round(bytes / MIB)} MiB, over its limit of ` +
                `${Math.round(options.processMemoryLimitBytes / MIB)} MiB`,
            );
          });
    const location = pyodideLocation();
    const boot: BootFrame = {
      type: 'boot',
      runtimeSource: options.runtimeSource,
      makeSnapshot: options.makeSnapshot,
      memoryLimitBytes: options.memoryLimitBytes,
      jsHeapLimitMiB: options.jsHeapLimitMiB,
      hostPollMs: HOST_POLL_MS,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      pyodideUrl: location.pyodideUrl,
      pyodideAsmUrl: location.pyodideAsmUrl,
      ...(options.testHookSource === undefined ? {} : { testHookSource: options.testHookSource }),
    };
    this.send(boot, options.snapshot);
    this.updateRef();
  }

  /** True once the sandbox process is gone (or being killed). */
  get isDead(): boolean {
    return this.deadError !== undefined;
  }

  /** Why the sandbox died, when it did. */
  get deathError(): SandboxSessionDeadError | undefined {
    return this.deadError;
  }

  /** Highest resident memory of the sandbox process seen by the watchdog, in bytes (0 when unknown). */
  get peakResidentBytes(): number {
    this.watchdog?.check();
    return this.watchdog?.peakBytes ?? 0;
  }

  /** OS process id of the sandbox process. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The memory snapshot this sandbox made (once `ready`), handed over once and then forgotten. */
  takeSnapshot(): Uint8Array | undefined {
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    return snapshot;
  }

  /**
   * Routes host calls from Python to `bridge` (set when a session takes the sandbox) and caps every
   * later host-call request at `maxFrameBytes`, and every other message at what an execution result
   * of `maxOutputChars` can take (or `maxFrameBytes`, when larger).
   */
  attach(bridge: HostBridge, limits: { maxFrameBytes: number; maxOutputChars: number }): void {
    this.bridge = bridge;
    this.decoder.caps.header = Math.max(limits.maxFrameBytes, responseCap(limits.maxOutputChars));
    this.decoder.caps.attachment = limits.maxFrameBytes;
  }

  /**
   * Marks the sandbox as sitting in the warm pool (`true`) or owned by a session (`false`). A
   * pooled one never keeps the host process alive; an owned one does while it boots or works.
   */
  setPooled(pooled: boolean): void {
    this.pooled = pooled;
    this.updateRef();
  }

  private updateRef(): void {
    if (this.isDead) return;
    const busy = this.pending.size > 0 || this.hostCalls.size > 0 || (!this.readyDone && !this.pooled);
    for (const handle of [this.child, this.channel, this.child.stderr] as ({ ref?(): void; unref?(): void } | null)[]) {
      if (busy) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Sends one request; resolves with the sandbox's reply. Rejects with `SandboxSessionDeadError`. */
  request(message: HandleRequest): Promise<WorkerReply> {
    if (this.deadError) return Promise.reject(this.deadError);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      if (message.type === 'load-context') {
        const { bytes, ...rest } = message;
        this.send({ ...rest, id }, bytes);
      } else {
        this.send({ ...message, id });
      }
    });
  }

  /** Raises `KeyboardInterrupt` in Python and aborts the host calls it is waiting on. */
  interrupt(): void {
    if (this.deadError) return;
    this.send({ type: 'interrupt' } satisfies ControlFrame);
    this.hostCalls.abortInFlight();
  }

  /** Kills the sandbox process; pending and later requests reject with `SandboxSessionDeadError(reason)`. */
  async terminate(reason: DeathReason, message: string): Promise<void> {
    this.die(reason, message);
    await this.exited;
  }

  private send(frame: BootFrame | RequestFrame | ControlFrame, attachment?: Uint8Array): void {
    if (this.channel.destroyed) return;
    for (const chunk of encodeFrame(frame as unknown as Record<string, unknown>, attachment)) this.channel.write(chunk);
  }

  private die(reason: DeathReason, message: string, cause?: unknown): void {
    if (this.deadError) return;
    const hint =
      reason === 'out-of-memory'
        ? ' Raise `memoryLimitMiB` in createPyodideSandbox() or load less data.'
        : reason === 'timeout'
          ? ' Its Python state is lost; create a new session.'
          : '';
    this.deadError = new SandboxSessionDeadError(`${message}.${hint}`, { sandbox: SANDBOX_NAME, reason, cause });
    if (!this.readyDone) {
      this.readyDone = true;
      this.rejectReady(this.deadError);
    }
    for (const entry of this.pending.values()) entry.reject(this.deadError);
    this.pending.clear();
    this.hostCalls.abortAll();
    this.watchdog?.stop();
    this.child.kill('SIGKILL');
    this.child.ref(); // until its exit is seen (at once: SIGKILL)
    this.channel.destroy();
    this.child.stderr?.destroy();
  }

  /**
   * The sandbox broke the protocol (here or in a reply the session could not read): it is killed,
   * and the session ends with a `ProtocolError` as the cause. Returns the session's death error.
   */
  protocolFailure(what: string): SandboxSessionDeadError {
    const error = new ProtocolError(
      `The Pyodide sandbox broke its protocol with the host: ${what}. It was stopped; a sandbox that ` +
        'keeps doing this is running hostile code.',
      { sandbox: SANDBOX_NAME },
    );
    this.die('crashed', `the Pyodide sandbox was stopped: ${what}`, error);
    return this.deadError!;
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.watchdog?.stop();
    if (this.deadError) return;
    const how = signal ? `signal ${signal}` : `code ${String(code)}`;
    const stderr = this.stderrTail.trim();
    const detail = this.fatal ? `${this.fatal.message}; ` : '';
    const message = `the Pyodide sandbox process exited (${detail}${how})${stderr ? `: ${stderr.slice(-500)}` : ''}`;
    if (!this.readyDone) {
      this.readyDone = true;
      this.rejectReady(new SandboxError(`Pyodide failed to start: ${message}`, { sandbox: SANDBOX_NAME, code: 'boot-failed' }));
    }
    this.die(this.fatal?.reason ?? 'crashed', message);
  }

  private onData(chunk: Buffer): void {
    if (this.deadError) return;
    let frames: ChannelFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      const what = error instanceof FrameViolation ? error.message : String(error);
      this.protocolFailure(`it sent ${what}${/ bytes, over /.test(what) ? ' (maxFrameBytes)' : ''}`);
      return;
    }
    for (const frame of frames) {
      if (this.deadError) return;
      let checked: CheckedFrame;
      try {
        checked = checkSandboxFrame(frame);
      } catch (error) {
        this.protocolFailure(`it sent an invalid frame (${error instanceof SandboxFrameError ? error.message : String(error)})`);
        return;
      }
      this.onFrame(checked);
    }
  }

  private onFrame(checked: CheckedFrame): void {
    const { frame } = checked;
    switch (frame.type) {
      case 'ready':
        if (this.readyDone) return void this.protocolFailure('it reported ready twice');
        if ('snapshot' in checked && checked.snapshot) {
          if (!this.makesSnapshot) return void this.protocolFailure('it sent a snapshot nobody asked for');
          this.snapshot = checked.snapshot;
        }
        this.readyDone = true;
        // From now on only a session's frames, capped at the default until one attaches.
        this.decoder.caps.attachment = DEFAULT_MAX_FRAME_BYTES;
        this.resolveReady({ pythonVersion: frame.pythonVersion });
        this.updateRef();
        return;
      case 'boot-failed':
        if (this.readyDone) return void this.protocolFailure('it reported a boot failure after booting');
        this.readyDone = true;
        this.rejectReady(new SandboxError(`Pyodide failed to start: ${frame.message}`, { sandbox: SANDBOX_NAME, code: 'boot-failed' }));
        this.die('crashed', `Pyodide failed to start: ${frame.message}`);
        return;
      case 'response':
        return this.onResponse(frame);
      case 'host-call':
        return this.onHostCall(frame.callId, 'body' in checked ? checked.body : new Uint8Array(0));
      case 'host-cancel':
        this.hostCalls.cancel(frame.callId);
        return;
      case 'protocol-violation':
        return void this.protocolFailure(frame.message);
      case 'fatal':
        this.fatal = frame; // the process exits next; its exit reports the death with this reason
        return;
    }
  }

  private onResponse(frame: Extract<SandboxFrame, { type: 'response' }>): void {
    const entry = this.pending.get(frame.id);
    if (!entry) return void this.protocolFailure(`it answered request ${frame.id}, which is not pending`);
    this.pending.delete(frame.id);
    this.updateRef();
    if (frame.ok) {
      entry.resolve({
        json: frame.json,
        ...(frame.rawStdout === undefined ? {} : { rawStdout: frame.rawStdout }),
        ...(frame.rawStderr === undefined ? {} : { rawStderr: frame.rawStderr }),
      });
      return;
    }
    const reason: DeathReason = frame.failure.reason === 'out-of-memory' ? 'out-of-memory' : 'crashed';
    this.die(reason, `the Python interpreter failed fatally (${frame.failure.message})`);
    entry.reject(this.deadError);
  }

  private onHostCall(callId: number, body: Uint8Array): void {
    if (!this.bridge) return void this.protocolFailure('it made a host call before a session was attached');
    if (this.pending.size === 0) return void this.protocolFailure('it made a host call while no code was running');
    const activity = this.activity;
    const breach = this.hostCalls.start(
      this.bridge,
      callId,
      body,
      (id, json) => {
        if (!this.deadError) this.send({ type: 'host-reply', callId: id } satisfies ControlFrame, json);
      },
      () => {
        activity?.ended();
        this.updateRef();
      },
      activity === undefined ? undefined : () => activity.progress(),
    );
    if (breach) return void this.protocolFailure(breach);
    activity?.started();
    this.updateRef();
  }
}
