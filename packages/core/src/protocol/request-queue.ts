import { RLMAbortError } from '../errors/index.js';

/** Lets a queued request react to its caller's abort (e.g. interrupt the running cell). */
export interface RequestControl {
  onAbort?: () => void;
}

const noop = (): void => {};

/**
 * Runs requests one at a time, in call order. A caller's promise may settle early (abort) while
 * its work keeps the queue until it really finished, so the next request never overlaps it.
 */
export class RequestQueue {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Queues `work`. Rejects with `RLMAbortError(abortMessage)` at once when `signal` fires (then
   * `control.onAbort` runs); `work` is skipped if the abort came before its turn.
   */
  schedule<T>(signal: AbortSignal | undefined, abortMessage: string, work: (control: RequestControl) => Promise<T>): Promise<T> {
    if (signal?.aborted === true) return Promise.reject(new RLMAbortError(abortMessage, { cause: signal.reason }));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const control: RequestControl = {};
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = (): void => {
        finish(() => reject(new RLMAbortError(abortMessage, { cause: signal?.reason })));
        control.onAbort?.();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const run = this.#tail.then(async () => {
        if (settled) return;
        try {
          const value = await work(control);
          finish(() => resolve(value));
        } catch (error) {
          finish(() => reject(error));
        }
      });
      this.#tail = run.then(noop, noop);
    });
  }
}
