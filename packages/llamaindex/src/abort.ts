import { RLMAbortError } from '@rlms/core';

/** An `AbortError`-named error for `signal`, keeping its reason (and the backend's error) as the cause. */
export function abortErrorFor(signal: AbortSignal, cause?: unknown): RLMAbortError {
  return new RLMAbortError(undefined, { cause: cause ?? signal.reason });
}

/** Throws an `AbortError`-named `RLMAbortError` when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorFor(signal);
}

/**
 * Settles like `promise`, or rejects with an `RLMAbortError` as soon as `signal` fires, whichever
 * comes first. LlamaIndex's `LLM.chat` takes no signal, so this keeps a call the backend cannot
 * cancel from holding the run; the backend's late result (or failure) is dropped.
 */
export function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal | undefined): Promise<T> {
  const settled = Promise.resolve(promise);
  if (signal === undefined) return settled;
  if (signal.aborted) {
    settled.catch(() => undefined);
    return Promise.reject(abortErrorFor(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      settled.catch(() => undefined);
      reject(abortErrorFor(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    settled.then(
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
