import { ConfigurationError, ModelProviderError, RLMAbortError, isAbortError } from '../../errors/errors.js';
import type { ModelCallOptions, ModelProviderV1, ModelResponse } from '../../spec/model-provider-v1.js';
import { sleep } from '../run/semaphore.js';

/**
 * How a model call that failed with a retryable `ModelProviderError` is tried again. The engine is
 * the one owner of this loop: providers classify their errors (`retryable`, `retryAfterMs`) and make
 * one attempt per call, so a call makes at most `maxRetries + 1` requests.
 */
export interface ModelRetryPolicy {
  /** Retries after the first attempt. 0 turns retries off. */
  readonly maxRetries: number;
  /** First backoff wait in milliseconds; doubles per retry. */
  readonly baseDelayMs: number;
  /** Longest wait in milliseconds between attempts; also caps a backend's `retryAfterMs`. */
  readonly maxDelayMs: number;
}

/** The engine's defaults: 2 retries, 500 ms first backoff, waits capped at one minute. */
export const DEFAULT_MODEL_RETRY_POLICY: ModelRetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * Milliseconds to wait before retry number `retryIndex + 1` (0-based).
 *
 * A backend-given wait (`retryAfterMs`) is used as is, capped at `maxDelayMs`. Otherwise the wait
 * is exponential (`baseDelayMs * 2^retryIndex`, capped at `maxDelayMs`) with "equal jitter": half
 * fixed, half random, so that many callers do not retry in lockstep.
 */
export function retryDelayMs(
  retryIndex: number,
  policy: ModelRetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return exponential / 2 + (random() * exponential) / 2;
}

/** Options of {@link withModelRetries}. */
export interface RetryLoopOptions {
  readonly policy: ModelRetryPolicy;
  readonly signal: AbortSignal;
  /** The longest wait allowed now (e.g. the time left before a deadline). Default: no limit. */
  readonly maxWaitMs?: () => number;
  /** Told before each wait: the 1-based retry about to be made, the wait, and the error that caused it. */
  readonly onRetry?: (retry: number, delayMs: number, error: ModelProviderError) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying a retryable `ModelProviderError` up to
 * `policy.maxRetries` times with {@link retryDelayMs} waits. Rejects with `RLMAbortError` when
 * `signal` aborts (before an attempt, during one, or while waiting), else with the last error.
 */
export async function withModelRetries<T>(attempt: () => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const { policy, signal } = options;
  for (let retryIndex = 0; ; retryIndex++) {
    if (signal.aborted) throw new RLMAbortError(undefined, { cause: signal.reason });
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted) throw RLMAbortError.isInstance(error) ? error : new RLMAbortError(undefined, { cause: error });
      if (isAbortError(error)) throw error;
      if (!ModelProviderError.isInstance(error) || !error.retryable || retryIndex >= policy.maxRetries) throw error;
      const wait = Math.max(0, Math.min(retryDelayMs(retryIndex, policy, error.retryAfterMs), options.maxWaitMs?.() ?? Infinity));
      options.onRetry?.(retryIndex + 1, wait, error);
      await sleep(wait, signal);
    }
  }
}

/**
 * One `model.generate` call with the engine's retry loop, for code that calls a provider outside a
 * run (the engine itself retries every call it makes). Providers make one attempt per call; this
 * retries retryable failures (429, 5xx, dropped connections, timeouts) honouring `retryAfterMs`.
 *
 * ```ts
 * const reply = await generateWithRetries(createOpenAIProvider({ model: 'gpt-4o-mini' }), { messages }, { maxRetries: 3 });
 * ```
 *
 * @param policy overrides of {@link DEFAULT_MODEL_RETRY_POLICY}.
 * @throws {ConfigurationError} for a policy value that is not a number ≥ 0 (`maxRetries` an integer).
 * @throws {RLMAbortError} when `options.abortSignal` aborts.
 * @throws {ModelProviderError} (or whatever the provider threw) once retries are spent or for a non-retryable failure.
 */
export function generateWithRetries(
  model: ModelProviderV1,
  options: ModelCallOptions,
  policy: Partial<ModelRetryPolicy> = {},
): Promise<ModelResponse> {
  const resolved = { ...DEFAULT_MODEL_RETRY_POLICY, ...policy };
  for (const name of ['maxRetries', 'baseDelayMs', 'maxDelayMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !(value >= 0) || (name === 'maxRetries' && !Number.isInteger(value))) {
      return Promise.reject(new ConfigurationError(`\`${name}\` must be ${name === 'maxRetries' ? 'an integer' : 'a number'} ≥ 0; got ${String(value)}.`, { code: 'invalid-setting' }));
    }
  }
  return withModelRetries(() => model.generate(options), { policy: resolved, signal: options.abortSignal ?? new AbortController().signal });
}
