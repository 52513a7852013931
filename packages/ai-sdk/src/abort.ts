import { RLMAbortError } from '@rlms/core';

/** Throws an `AbortError`-named `RLMAbortError` when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RLMAbortError(undefined, { cause: signal.reason });
}

/**
 * Settles like `promise`, or rejects with an `RLMAbortError` as soon as `signal` fires, whichever
 * comes first. Keeps a backend that ignores its abort signal from holding the caller.
 */
export function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return Promise.resolve(promise);
  if (signal.aborted) {
    // The backend may still settle later; keep its rejection from going unhandled.
    Promise.resolve(promise).catch(() => undefined);
    return Promise.reject(new RLMAbortError(undefined, { cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RLMAbortError(undefined, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
