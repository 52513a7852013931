/**
 * Messages between the sandbox process's main thread (`sandbox-process.ts`, the relay) and the
 * Pyodide worker thread it runs. Types, and the layout of the shared interrupt buffer.
 *
 * Control requests travel on the worker's `parentPort`. Replies to host calls travel on a
 * dedicated `MessagePort` (`hostPort`) that the worker drains synchronously with
 * `receiveMessageOnPort` while Python is blocked in a host call; the relay bumps
 * `hostSignal[0]` and `Atomics.notify`s it after each reply, so the worker wakes at once.
 *
 * Everything the worker sends is untrusted: model code that escaped into the worker's
 * JavaScript realm could forge any of these messages. The relay only re-frames them; the host
 * validates every frame (see `channel-messages.ts`).
 */
import type { MessagePort } from 'node:worker_threads';

/**
 * Index, in the interrupt buffer, of the byte that says "the current request was interrupted": set
 * with Pyodide's SIGINT byte (index 0), but unlike it not consumed by Python; cleared by the next request.
 */
export const INTERRUPT_REQUESTED_INDEX = 1;

/** Data handed to a new worker through `workerData`. */
export interface WorkerBootData {
  /** Source of the shared Python runtime (`rlms_runtime.py`). */
  readonly runtimeSource: string;
  /**
   * A memory snapshot to restore instead of booting CPython from scratch. When absent and
   * `makeSnapshot` is true, the worker boots normally and sends a snapshot back in `ready`.
   */
  readonly snapshot?: ArrayBuffer;
  readonly makeSnapshot: boolean;
  /** Upper bound of the WebAssembly heap, in bytes. */
  readonly memoryLimitBytes: number;
  /**
   * Two bytes, shared: the main thread writes 2 (SIGINT) to byte 0 (Pyodide's interrupt buffer) and
   * 1 to byte 1 (stays set until the next request) to interrupt Python.
   */
  readonly interruptBuffer: SharedArrayBuffer;
  /** One Int32, shared: incremented by the main thread after every message on `hostPort`. */
  readonly hostSignal: SharedArrayBuffer;
  /** How often a blocked host call wakes to check for an interrupt, in milliseconds. */
  readonly hostPollMs: number;
  readonly hostPort: MessagePort;
  /** File URL of `pyodide/pyodide.mjs`, resolved by the host (the sandbox process resolves no packages). */
  readonly pyodideUrl: string;
  /** File URL of `pyodide/pyodide.asm.mjs`. */
  readonly pyodideAsmUrl: string;
  /** Largest host-call request Python may write to the device before `configure` sets the session's cap. */
  readonly maxFrameBytes: number;
  /** Test-only: source of an ES module whose default export Python can call (see `testing/`). */
  readonly testHookSource?: string;
}

/** Main thread → worker, on `parentPort`. */
export type WorkerRequest =
  | {
      readonly type: 'configure';
      readonly id: number;
      /** JSON text of `{"tools": [...], "maxOutputChars": N}`. */
      readonly configJson: string;
      /** Largest host-call request of the session, in bytes. */
      readonly maxFrameBytes: number;
    }
  | {
      readonly type: 'load-context';
      readonly id: number;
      readonly format: 'text' | 'json' | 'documents';
      readonly variable: string;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'execute'; readonly id: number; readonly code: string };

/**
 * A JavaScript-level failure inside the worker (not a Python exception of model code): the
 * interpreter exited, overflowed the stack or hit a fatal error, and is not used again.
 */
export interface WorkerFailure {
  /** `'out-of-memory'` when the memory cap refused a heap growth during the request. */
  readonly reason?: 'out-of-memory';
  readonly message: string;
}

/** Worker → main thread, on `parentPort`. */
export type WorkerEvent =
  | {
      readonly type: 'ready';
      readonly pythonVersion: string;
      /** Present when the worker was asked to make a snapshot. */
      readonly snapshot?: ArrayBuffer;
    }
  | { readonly type: 'boot-failed'; readonly message: string }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly ok: true;
      /** JSON text of the runtime's reply (ContextInfo, ExecutionResult or null). */
      readonly json: string;
      /** Output written straight to fd 1 / fd 2 during the request (not through `sys.stdout`). */
      readonly rawStdout?: string;
      readonly rawStderr?: string;
    }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly failure: WorkerFailure }
  | {
      readonly type: 'host-call';
      readonly callId: number;
      /** UTF-8 JSON of `{"op": ..., "payload": {...}}` exactly as Python sent it. */
      readonly body: Uint8Array;
    }
  | { readonly type: 'host-cancel'; readonly callId: number }
  /** Python broke the device protocol (e.g. announced a request over `maxFrameBytes`): end the session. */
  | { readonly type: 'protocol-violation'; readonly message: string };

/** Relay → worker, on `hostPort`: the answer to one `host-call`. */
export interface HostReply {
  readonly callId: number;
  /** UTF-8 JSON of `{"ok": true, "value": ...}` or `{"ok": false, "error": {"type", "message"}}`. */
  readonly body: Uint8Array;
}
