import { APICallError, LoadAPIKeyError, LoadSettingError, NoSuchModelError } from '@ai-sdk/provider';
import { ConfigurationError, ModelProviderError, RLMAbortError, RLMError, isAbortError } from '@rlms/core';

/** Which model failed. */
export interface FailedModel {
  readonly provider: string;
  readonly modelId: string;
}

const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/** Milliseconds from `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date). */
export function retryAfterMsOf(headers: Readonly<Record<string, string | undefined>> | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const ms = Number.parseFloat(lower['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const header = lower['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function hint(statusCode: number | undefined): string {
  switch (statusCode) {
    case 401:
    case 403:
      return ' (check the API key and permissions given to the AI SDK provider: its apiKey setting or environment variable)';
    case 404:
      return ' (check the model id passed to the AI SDK provider)';
    case 429:
      return ' (rate-limited: the engine retries up to `maxRetries` times; lower `maxSubcallConcurrency` if it persists)';
    default:
      return '';
  }
}

/**
 * Converts whatever an AI SDK model threw into an rlms error:
 * - an abort (or any error once `signal` fired) → `RLMAbortError` (`name === 'AbortError'`);
 * - `APICallError` → `ModelProviderError` keeping `statusCode`, `retryable` (from `isRetryable`)
 *   and `retryAfterMs` (from the `retry-after-ms` / `retry-after` response headers);
 * - `LoadAPIKeyError`, `LoadSettingError`, `NoSuchModelError` → `ConfigurationError`;
 * - rlms errors pass through; anything else → a non-retryable `ModelProviderError`.
 * The original error is kept as `cause`, and its message is part of the new message.
 */
export function toRLMError(error: unknown, model: FailedModel, signal?: AbortSignal): Error {
  if (isAbortError(error) || signal?.aborted) {
    return RLMError.isInstance(error) && error.name === 'AbortError' ? error : new RLMAbortError(undefined, { cause: error });
  }
  if (RLMError.isInstance(error)) return error;
  const label = `${model.provider} model "${model.modelId}"`;
  if (LoadAPIKeyError.isInstance(error) || LoadSettingError.isInstance(error) || NoSuchModelError.isInstance(error)) {
    return new ConfigurationError(`${label} is not configured: ${error.message}`, { code: 'ai-sdk-configuration', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (APICallError.isInstance(error)) {
    const retryAfterMs = retryAfterMsOf(error.responseHeaders);
    return new ModelProviderError(
      `${label} failed${error.statusCode === undefined ? '' : ` with HTTP ${error.statusCode}`}: ${message}${hint(error.statusCode)}`,
      {
        provider: model.provider,
        modelId: model.modelId,
        ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
        retryable: error.isRetryable,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        code: 'ai-sdk-api-call',
        cause: error,
      },
    );
  }
  // Errors shaped like APICallError from other packages (gateway errors carry `statusCode`).
  const shaped = error as { statusCode?: unknown; isRetryable?: unknown } | null;
  const statusCode = typeof shaped?.statusCode === 'number' ? shaped.statusCode : undefined;
  const retryable = typeof shaped?.isRetryable === 'boolean' ? shaped.isRetryable : statusCode !== undefined && RETRYABLE_STATUS.has(statusCode);
  return new ModelProviderError(`${label} failed${statusCode === undefined ? '' : ` with HTTP ${statusCode}`}: ${message}${hint(statusCode)}`, {
    provider: model.provider,
    modelId: model.modelId,
    ...(statusCode === undefined ? {} : { statusCode }),
    retryable,
    code: 'ai-sdk-model',
    cause: error,
  });
}
