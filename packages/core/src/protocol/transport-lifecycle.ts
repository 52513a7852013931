import type { FrameTransport, TransportExit } from './frame-transport.js';

/** How long to wait for the exit notification after killing the runtime, in ms. */
const KILL_WAIT_MS = 2000;

/** The end of a runtime process as a session sees it: its exit, waiting for it, killing it, shutting down. */
export class TransportLifecycle {
  readonly #transport: FrameTransport;
  readonly #waiters = new Set<() => void>();
  #exit: TransportExit | undefined;

  constructor(transport: FrameTransport) {
    this.#transport = transport;
  }

  /** How the process ended, once the transport said so. */
  get exit(): TransportExit | undefined {
    return this.#exit;
  }

  /** Records the exit and wakes whoever waits for it. Returns false when one was already recorded. */
  recordExit(exit: TransportExit): boolean {
    if (this.#exit !== undefined) return false;
    this.#exit = exit;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
    return true;
  }

  /** Resolves at the exit, or after `ms`, whichever comes first. */
  waitForExit(ms: number): Promise<void> {
    if (this.#exit !== undefined || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
    });
  }

  /** Kills the process (the transport's `kill`, which must not throw; errors are ignored anyway). */
  async kill(): Promise<void> {
    try {
      await this.#transport.kill();
    } catch {
      // kill must not throw; nothing more we can do
    }
  }

  /**
   * Asks the process to exit (`sendShutdown`), waits up to `graceMs`, kills it (always: that reaps
   * what model code started), waits for the exit, closes the transport.
   */
  async shutdown(graceMs: number, sendShutdown: () => void): Promise<void> {
    if (this.#exit === undefined && graceMs > 0) {
      try {
        sendShutdown();
      } catch {
        // unreachable: the frame is plain JSON
      }
      await this.waitForExit(graceMs);
    }
    await this.kill();
    await this.waitForExit(KILL_WAIT_MS);
    try {
      await this.#transport.close?.();
    } catch {
      // close must not throw
    }
  }
}
