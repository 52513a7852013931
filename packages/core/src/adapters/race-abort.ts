import { RLMAbortError } from '../errors/errors.js';

/**
 * The `AbortError`-named {@link RLMAbortError} for `signal`: `message` defaults to
 * `'The operation was aborted.'`; `cause` defaults to the signal's reason (pass the backend's own
 * error to keep it instead).
 */
export function abortErrorFor(signal: AbortSignal, options: { readonly message?: string; readonly cause?: unknown } = {}): RLMAbortError {
  return new RLMAbortError(options.message, { cause: options.cause ?? signal.reason });
}

/**
 * Throws {@link abortErrorFor}(`signal`) when `signal` has fired; does nothing for `undefined`.
 * @throws RLMAbortError with `message` (default `'The operation was aborted.'`) and the signal's reason as `cause`.
 */
export function throwIfAborted(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted === true) throw abortErrorFor(signal, message === undefined ? {} : { message });
}

/** Options of {@link raceAbort}. */
export interface RaceAbortOptions<T> {
  /** Message of the `RLMAbortError`. Default `'The operation was aborted.'`. */
  readonly message?: string;
  /**
   * Receives the value `work` resolves with after the race was lost to the abort, to free it (kill
   * a sandbox created meanwhile, close a transport). Not called when `work` rejects: a late
   * failure is dropped.
   */
  readonly onLate?: (value: T) => void;
}

/**
 * Settles like `work`, or rejects with an `AbortError`-named {@link RLMAbortError} as soon as
 * `signal` fires (at once when it already has), whichever comes first. For work that cannot be
 * cancelled, or a backend that ignores its signal: the caller is released at once, and what the
 * work produces later goes to `options.onLate` (its late failure is swallowed, never unhandled).
 * Without a signal, `work` is returned as a promise unchanged.
 *
 * @example
 * ```ts
 * const sandbox = await raceAbort(createRemoteSandbox(), abortSignal, { onLate: (late) => void late.kill() });
 * ```
 */
export function raceAbort<T>(work: PromiseLike<T>, signal: AbortSignal | undefined, options: RaceAbortOptions<T> = {}): Promise<T> {
  const settled = Promise.resolve(work);
  if (signal === undefined) return settled;
  const { onLate } = options;
  const abort = (): RLMAbortError => {
    settled.then(onLate, () => undefined);
    return abortErrorFor(signal, options.message === undefined ? {} : { message: options.message });
  };
  if (signal.aborted) return Promise.reject(abort());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abort());
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
