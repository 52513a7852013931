/**
 * How bytes move between the host and a stdio runtime (`python3 -u rlms_runtime.py`). A sandbox
 * package implements this for its process/container/VM; `createFrameSession` does the rest.
 */

/** How the runtime process ended, as far as the transport knows. */
export interface TransportExit {
  /** Exit code, when known. */
  readonly code?: number | null;
  /** Terminating signal name (`'SIGKILL'`), when known. */
  readonly signal?: string | null;
  /** The process could not be started, or the connection to it was lost (e.g. spawn `ENOENT`). */
  readonly error?: unknown;
  /** Known cause of death, e.g. `'out-of-memory'` when a container was OOM-killed. */
  readonly reason?: 'out-of-memory' | 'crashed';
}

/** Callbacks the session gives the transport in {@link FrameTransport.start}. */
export interface FrameTransportHandlers {
  /** Bytes the runtime wrote on its stdout (the protocol stream), in order. */
  onStdout(chunk: Uint8Array): void;
  /** Bytes on the runtime process's stderr (diagnostics only; model output is captured separately). */
  onStderr(chunk: Uint8Array): void;
  /**
   * The runtime process ended (or could not start). Call once, after the last `onStdout` chunk.
   * Calling it again is harmless (ignored).
   */
  onExit(exit: TransportExit): void;
}

/**
 * A byte pipe to one runtime process. All methods except `start` may be called after the process
 * has exited and must then not throw (no-ops).
 */
export interface FrameTransport {
  /**
   * Starts delivering events to `handlers`. Called exactly once by `createFrameSession`,
   * synchronously, before anything is written. Events that happened earlier (e.g. the process
   * already wrote its `ready` frame or already failed to spawn) must still be delivered.
   */
  start(handlers: FrameTransportHandlers): void;
  /**
   * Writes bytes to the runtime's stdin. Chunks must arrive in call order; the session never calls
   * `write` again before the previous call's promise settled. Return a promise to apply
   * backpressure. A rejected write is treated as a lost connection.
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /**
   * Optional: delivers SIGINT to the runtime process. The session interrupts code through the
   * protocol (an `interrupt` frame, which the runtime turns into a SIGINT to its own main thread),
   * so this is only a second attempt, made halfway through the interrupt grace period.
   */
  interrupt?(): void | Promise<void>;
  /**
   * Ends the runtime process and everything it started (process group, container), at once.
   * Called on timeouts the code ignored, on abort, and by `destroy()` (also after a clean exit, to
   * reap children the model spawned). Idempotent; must not throw.
   */
  kill(): void | Promise<void>;
  /**
   * Optional: places the context bytes inside the sandbox and returns their path there (Docker
   * `putArchive`, a cloud file upload). When present, `loadContext` sends the path instead of an
   * attachment; the runtime deletes the file after loading it.
   */
  uploadContext?(bytes: Uint8Array, options: { readonly abortSignal?: AbortSignal }): Promise<string>;
  /** Optional: frees what remains once the process is gone (temp dirs, connections). Called once by `destroy()`. */
  close?(): void | Promise<void>;
}
