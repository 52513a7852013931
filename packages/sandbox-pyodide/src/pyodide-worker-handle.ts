import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import {
  SandboxError,
  SandboxSessionDeadError,
  hostCallFromWire,
  hostErrorToWire,
  type HostBridge,
  type HostCall,
} from '@rlms/core';
import type { HostReply, WorkerBootData, WorkerEvent, WorkerFailure, WorkerRequest } from './worker/messages.js';

/** Name of this sandbox in errors. */
export const SANDBOX_NAME = 'pyodide';

/** How often a host call blocked in Python wakes to look at the interrupt buffer, in milliseconds. */
const HOST_POLL_MS = 25;
const SIGINT = 2;

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
  readonly snapshot?: SharedArrayBuffer;
  readonly makeSnapshot: boolean;
  readonly memoryLimitBytes: number;
  /** V8 old-generation limit of the worker's JavaScript heap, in MiB. */
  readonly jsHeapLimitMiB: number;
}

/** Type-stripping runs the worker from source in tests; the published build runs dist/*.js. */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './worker/pyodide-worker.ts' : './worker/pyodide-worker.js',
  import.meta.url,
);

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: unknown): void;
}

/**
 * Main-thread side of one Pyodide worker: boots it, moves requests and host calls, interrupts
 * it, and turns every way it can die into `SandboxSessionDeadError`.
 */
export class PyodideWorkerHandle {
  /** Resolves once Python is up and locked down; rejects with `SandboxError` when it cannot start. */
  readonly ready: Promise<{ pythonVersion: string }>;
  private readonly worker: Worker;
  private readonly hostPort: MessagePort;
  private readonly hostSignal: Int32Array;
  private readonly interruptFlag: Uint8Array;
  private readonly pending = new Map<number, Pending>();
  private readonly hostCalls = new Map<number, AbortController>();
  private bridge: HostBridge | undefined;
  private nextId = 1;
  private deadError: SandboxSessionDeadError | undefined;
  private resolveReady!: (value: { pythonVersion: string }) => void;
  private rejectReady!: (error: unknown) => void;
  private snapshot: SharedArrayBuffer | undefined;
  private readyDone = false;
  private pooled = false;

  constructor(options: WorkerHandleOptions) {
    const channel = new MessageChannel();
    this.hostPort = channel.port1;
    const interruptBuffer = new SharedArrayBuffer(1);
    const hostSignalBuffer = new SharedArrayBuffer(4);
    this.interruptFlag = new Uint8Array(interruptBuffer);
    this.hostSignal = new Int32Array(hostSignalBuffer);
    const workerData: WorkerBootData = {
      runtimeSource: options.runtimeSource,
      makeSnapshot: options.makeSnapshot,
      memoryLimitBytes: options.memoryLimitBytes,
      interruptBuffer,
      hostSignal: hostSignalBuffer,
      hostPollMs: HOST_POLL_MS,
      hostPort: channel.port2,
      ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    };
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Handled through `ready`; this keeps an unobserved boot failure from being unhandled.
    this.ready.catch(() => undefined);
    this.worker = new Worker(WORKER_URL, {
      name: 'rlms-pyodide',
      workerData,
      transferList: [channel.port2],
      // An empty environment: nothing of the host's (API keys included) reaches the worker.
      env: {},
      argv: [],
      execArgv: [],
      stdin: false,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: options.jsHeapLimitMiB },
    });
    // Output the worker's JavaScript might print is not the host's business: drop it.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.worker.on('message', (event: WorkerEvent) => this.onEvent(event));
    this.worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.die(outOfMemory ? 'out-of-memory' : 'crashed', `the Pyodide worker failed: ${error.message}`, error);
    });
    this.worker.on('exit', (code) => {
      this.die('crashed', `the Pyodide worker exited (code ${code})`);
    });
  }

  /** True once the worker is gone. */
  get isDead(): boolean {
    return this.deadError !== undefined;
  }

  /** Why the worker died, when it did. */
  get deathError(): SandboxSessionDeadError | undefined {
    return this.deadError;
  }

  /** The memory snapshot this worker made (once `ready`), handed over once and then forgotten. */
  takeSnapshot(): SharedArrayBuffer | undefined {
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    return snapshot;
  }

  /** Routes host calls from Python to `bridge` (set when a session takes the worker). */
  attach(bridge: HostBridge): void {
    this.bridge = bridge;
  }

  /**
   * Marks the worker as sitting in the warm pool (`true`) or owned by a session (`false`). A
   * pooled worker never keeps the process alive; an owned one does while it boots or works.
   */
  setPooled(pooled: boolean): void {
    this.pooled = pooled;
    this.updateRef();
  }

  private updateRef(): void {
    if (this.isDead) return;
    const busy = this.pending.size > 0 || this.hostCalls.size > 0 || (!this.readyDone && !this.pooled);
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  /** Sends one request; resolves with the worker's reply. Rejects with `SandboxSessionDeadError`. */
  request(message: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.deadError) return Promise.reject(this.deadError);
    const id = this.nextId++;
    // A stale SIGINT from an earlier timeout must not hit this request.
    Atomics.store(this.interruptFlag, 0, 0);
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      this.worker.postMessage({ ...message, id } as WorkerRequest, transfer);
    });
  }

  /** Raises `KeyboardInterrupt` in Python and aborts the host calls it is waiting on. */
  interrupt(): void {
    if (this.deadError) return;
    Atomics.store(this.interruptFlag, 0, SIGINT);
    for (const controller of this.hostCalls.values()) controller.abort();
  }

  /** Terminates the worker; pending and later requests reject with `SandboxSessionDeadError(reason)`. */
  async terminate(reason: DeathReason, message: string): Promise<void> {
    this.die(reason, message);
    await this.worker.terminate().catch(() => undefined);
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
    for (const controller of this.hostCalls.values()) controller.abort();
    this.hostCalls.clear();
    this.hostPort.close();
    void this.worker.terminate().catch(() => undefined);
  }

  private onEvent(event: WorkerEvent): void {
    if (typeof event !== 'object' || event === null) return;
    switch (event.type) {
      case 'ready':
        if (!this.readyDone) {
          this.readyDone = true;
          if (event.snapshot instanceof SharedArrayBuffer) this.snapshot = event.snapshot;
          this.resolveReady({ pythonVersion: String(event.pythonVersion) });
          this.updateRef();
        }
        return;
      case 'boot-failed':
        if (!this.readyDone) {
          this.readyDone = true;
          this.rejectReady(
            new SandboxError(`Pyodide failed to start: ${String(event.message)}`, { sandbox: SANDBOX_NAME, code: 'boot-failed' }),
          );
        }
        void this.terminate('crashed', `Pyodide failed to start: ${String(event.message)}`);
        return;
      case 'response':
        this.onResponse(event);
        return;
      case 'host-call':
        void this.onHostCall(Number(event.callId), String(event.json));
        return;
      case 'host-cancel':
        this.hostCalls.get(Number(event.callId))?.abort();
        return;
      default:
        return;
    }
  }

  private onResponse(event: Extract<WorkerEvent, { type: 'response' }>): void {
    const entry = this.pending.get(event.id);
    if (!entry) return;
    this.pending.delete(event.id);
    this.updateRef();
    if (event.ok) {
      entry.resolve({
        json: String(event.json),
        ...(typeof event.rawStdout === 'string' ? { rawStdout: event.rawStdout } : {}),
        ...(typeof event.rawStderr === 'string' ? { rawStderr: event.rawStderr } : {}),
      });
      return;
    }
    const failure = (event.failure ?? {}) as Partial<WorkerFailure>;
    const reason: DeathReason = failure.reason === 'out-of-memory' ? 'out-of-memory' : 'crashed';
    this.die(reason, `the Python interpreter failed fatally (${String(failure.message)})`);
    entry.reject(this.deadError);
  }

  private async onHostCall(callId: number, json: string): Promise<void> {
    const controller = new AbortController();
    this.hostCalls.set(callId, controller);
    this.updateRef();
    let reply: string;
    try {
      let call: HostCall;
      try {
        const frame = JSON.parse(json) as { op?: unknown; payload?: unknown } | null;
        call = hostCallFromWire(frame?.op, frame?.payload);
      } catch (error) {
        // The frame comes from inside the sandbox: a malformed one is model code's TypeError.
        throw Object.assign(new TypeError(`invalid host call: ${(error as Error).message}`), { pythonType: 'TypeError' });
      }
      if (!this.bridge) throw new Error('no session is attached to this worker');
      const value = await this.bridge.call(call, { abortSignal: controller.signal });
      reply = JSON.stringify({ ok: true, value: value ?? null });
    } catch (error) {
      reply = JSON.stringify({ ok: false, error: hostErrorToWire(error) });
    }
    this.hostCalls.delete(callId);
    this.updateRef();
    if (this.deadError) return;
    const message: HostReply = { callId, json: reply };
    this.hostPort.postMessage(message);
    Atomics.add(this.hostSignal, 0, 1);
    Atomics.notify(this.hostSignal, 0);
  }
}

/** `Omit` that distributes over a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
