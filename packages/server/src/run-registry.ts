/** One request being answered: its abort controller and when it finished. */
export interface ActiveRun {
  readonly controller: AbortController;
  /** Set when the run was aborted by a shutdown (not by the client). */
  shutdown: boolean;
  /** Frees the slot. Idempotent. */
  release(): void;
}

/** Counts runs in flight against a limit, and aborts them all on shutdown. */
export class RunRegistry {
  readonly #limit: number;
  readonly #active = new Set<ActiveRun>();
  #idleWaiters: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#active.size;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Takes a slot, or returns `undefined` when all are taken. */
  tryAcquire(): ActiveRun | undefined {
    if (this.#active.size >= this.#limit) return undefined;
    let released = false;
    const run: ActiveRun = {
      controller: new AbortController(),
      shutdown: false,
      release: () => {
        if (released) return;
        released = true;
        this.#active.delete(run);
        if (this.#active.size === 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const wake of waiters) wake();
        }
      },
    };
    this.#active.add(run);
    return run;
  }

  /** Resolves `true` once no run is active, or `false` after `timeoutMs` or when `signal` fires. */
  waitIdle(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#active.size === 0) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (idle: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#idleWaiters = this.#idleWaiters.filter((waiter) => waiter !== wake);
        resolve(idle);
      };
      const wake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#idleWaiters.push(wake);
    });
  }

  /** Aborts every active run as part of a shutdown. */
  abortAll(reason: Error): void {
    for (const run of this.#active) {
      run.shutdown = true;
      run.controller.abort(reason);
    }
  }
}
