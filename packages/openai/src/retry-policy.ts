import { RLMAbortError } from '@rlms/core';

/** Backoff settings of the retry loop. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** First wait in milliseconds; doubles per retry. */
  readonly baseDelayMs: number;
  /** Longest wait in milliseconds; also caps a server's `retry-after`. */
  readonly maxDelayMs: number;
}

/**
 * Milliseconds to wait before retry number `retryIndex + 1`.
 *
 * A server-given wait (`retryAfterMs`) is used as is, capped at `maxDelayMs`. Otherwise the
 * wait is exponential (`baseDelayMs * 2^retryIndex`, capped) with "equal jitter": half fixed,
 * half random, so that many clients do not retry in lockstep.
 */
export function backoffDelayMs(
  retryIndex: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return exponential / 2 + (random() * exponential) / 2;
}

/**
 * The wait a response asks for: `retry-after-ms` (milliseconds), else `retry-after` (seconds or an
 * HTTP date). `undefined` when absent or unparsable.
 */
export function retryAfterMsFromHeaders(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter.trim());
    if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

/** Waits `ms` milliseconds; rejects with `RLMAbortError` as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(new RLMAbortError(undefined, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RLMAbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
