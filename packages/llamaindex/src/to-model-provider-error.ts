import { ModelProviderError, isAbortError } from '@rlms/core';

/** Network failures worth another attempt. */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** SDK error classes (OpenAI, Anthropic, Groq… share them) that mean "the connection failed or timed out". */
const CONNECTION_ERROR_NAMES = new Set(['APIConnectionError', 'APIConnectionTimeoutError', 'FetchError', 'TimeoutError']);

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** HTTP status of an SDK error: `status` (OpenAI, Anthropic, Mistral), `statusCode`, `status_code` (Ollama), `response.status`. */
export function statusOf(error: unknown): number | undefined {
  const fields = record(error);
  if (fields === undefined) return undefined;
  const candidates = [fields['status'], fields['statusCode'], fields['status_code'], record(fields['response'])?.['status']];
  for (const candidate of candidates) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) return candidate;
  }
  return undefined;
}

function networkCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; depth < 4 && record(current) !== undefined; depth++) {
    const code = record(current)!['code'];
    if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return code;
    current = record(current)!['cause'];
  }
  return undefined;
}

function header(headers: unknown, name: string): unknown {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  return record(headers)?.[name];
}

/** `retry-after-ms` or `retry-after` (seconds) from an SDK error's response headers, in milliseconds. */
export function retryAfterOf(error: unknown): number | undefined {
  const headers = record(error)?.['headers'];
  if (headers === undefined || headers === null) return undefined;
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(headers, 'retry-after');
  if (raw === undefined || raw === null || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(String(raw));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Wraps a failure of a LlamaIndex LLM call in a `ModelProviderError` whose message carries the
 * original message. Retryable: 408, 409, 429, 5xx, connection failures and timeouts, unless
 * `engineRetries` is false (the LLM already retried on its own, so retries must not multiply).
 */
export function toModelProviderError(
  error: unknown,
  identity: { readonly provider: string; readonly modelId: string },
  engineRetries: boolean,
): Error {
  if (ModelProviderError.isInstance(error) || isAbortError(error)) return error as Error;
  const message = error instanceof Error ? error.message : String(error);
  const statusCode = statusOf(error);
  const name = record(error)?.['name'];
  const connection = typeof name === 'string' && CONNECTION_ERROR_NAMES.has(name);
  const timedOut = name === 'APIConnectionTimeoutError' || name === 'TimeoutError';
  const transient =
    statusCode === undefined
      ? connection || networkCodeOf(error) !== undefined
      : statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
  const retryAfterMs = retryAfterOf(error);
  const hint =
    statusCode === 401 || statusCode === 403
      ? ' Check the API key the LlamaIndex LLM was created with.'
      : statusCode === 404
        ? ' Check the model name the LlamaIndex LLM was created with.'
        : '';
  return new ModelProviderError(`LlamaIndex LLM ${identity.provider}:${identity.modelId} failed: ${message}${hint}`, {
    provider: identity.provider,
    modelId: identity.modelId,
    retryable: transient && engineRetries,
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(timedOut ? { code: 'timeout' } : {}),
    cause: error,
  });
}
