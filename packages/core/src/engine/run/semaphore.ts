import { RLMAbortError } from '../../errors/errors.js';

/** A counting semaphore limiting concurrent sub-calls across a run tree. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(readonly capacity: number) {
    this.available = Math.max(1, Math.floor(capacity));
  }

  /** Waits for a slot; rejects with `RLMAbortError` when `signal` aborts first. Returns the release function. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new RLMAbortError();
    if (this.available > 0) {
      this.available--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new RLMAbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next !== undefined) next.resolve();
      else this.available++;
    };
  }
}

/** Resolves after `ms`, or rejects with `RLMAbortError` when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RLMAbortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RLMAbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
