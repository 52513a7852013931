import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ModelProviderError, RLMAbortError, RLMError, isAbortError } from '@rlms/core/spec';
import { redactSecrets } from '@rlms/core/sandbox';
import type { AttemptController } from './attempt-controller.js';
import { retryAfterMsFromHeaders } from './retry-after.js';

/** Wording of servers (OpenAI, vLLM, llama.cpp, Ollama…) for a prompt longer than the context window. */
const CONTEXT_LENGTH = /context[ _-]?(length|window)|maximum context|context_length_exceeded|too many tokens|prompt is too long|input is too long/i;

/** Who was called, for error messages. */
export interface ErrorContext {
  readonly provider: string;
  readonly modelId: string;
  readonly baseURL: string;
  readonly api: 'chat' | 'responses';
  /**
   * Values never to show in an error: the API key and secret-looking header values. They are
   * removed (with common key shapes and URL credentials) from every message, since upstream servers
   * echo keys and proxies put tokens in URLs.
   */
  readonly secrets: readonly string[];
}

/** A response that is valid JSON but not the shape the API promises (thrown by the API adapters). */
export class ResponseShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseShapeError';
  }
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);

/**
 * Turns anything one attempt threw into `RLMAbortError` (the caller aborted) or a
 * `ModelProviderError` with `retryable`, `statusCode`, `retryAfterMs` and a message that says
 * what to check. Messages are redacted (`context.secrets`, key shapes, URL credentials) and the
 * `cause` is a redacted copy of what the SDK threw, so no error, log, trajectory or `--json` file
 * built from it carries the key.
 */
export function toModelProviderError(
  error: unknown,
  attempt: AttemptController,
  context: ErrorContext,
): ModelProviderError | RLMAbortError {
  if (attempt.callerAborted) {
    return RLMAbortError.isInstance(error) ? error : new RLMAbortError(undefined, { cause: error });
  }
  const make = (
    message: string,
    extra: { statusCode?: number; retryable?: boolean; retryAfterMs?: number; code: string },
  ): ModelProviderError =>
    new ModelProviderError(redactSecrets(message, context.secrets), {
      provider: context.provider,
      modelId: context.modelId,
      cause: redactedCause(error, context.secrets),
      ...extra,
    });
  const target = `model '${context.modelId}' at ${redactSecrets(context.baseURL, context.secrets)}`;

  if (attempt.timedOut || error instanceof APIConnectionTimeoutError) {
    return make(
      `The request to ${target} timed out after ${attempt.timeoutMs} ms. The server may be overloaded or hung; ` +
        'raise `timeoutMs` if the model is just slow.',
      { retryable: true, code: 'timeout' },
    );
  }
  if (ModelProviderError.isInstance(error)) return redactModelProviderError(error, context.secrets);
  if (error instanceof APIUserAbortError || isAbortError(error)) {
    // Aborted without the caller asking: the client's own machinery gave up; treat as transient.
    return make(`The request to ${target} was cut short: ${messageOf(error)}`, { retryable: true, code: 'connection' });
  }
  if (error instanceof APIConnectionError || isNetworkTypeError(error)) {
    const detail = describeCause(error);
    return make(
      `Could not complete the request to ${target}: ${detail}. Check that the server is running and that ` +
        '`baseURL` is right (it usually ends in /v1).',
      { retryable: true, code: 'connection' },
    );
  }
  if (error instanceof APIError) return fromApiError(error, context, target, make);
  if (error instanceof SyntaxError) {
    return make(
      `${target} returned a body that is not valid JSON (${error.message}). Check that \`baseURL\` points at an ` +
        'OpenAI-compatible API (usually ending in /v1) and not at a web page or proxy error page.',
      { retryable: false, code: 'invalid-response' },
    );
  }
  if (error instanceof ResponseShapeError) {
    return make(
      `${target} returned an unexpected response: ${error.message}. Check that \`baseURL\` points at an ` +
        `OpenAI-compatible API (usually ending in /v1) that implements ${context.api === 'chat' ? 'Chat Completions' : 'the Responses API'}.`,
      { retryable: false, code: 'invalid-response' },
    );
  }
  if (RLMError.isInstance(error)) {
    return make(error.message, { retryable: false, code: error.code });
  }
  return make(`The request to ${target} failed: ${messageOf(error)}`, { retryable: false, code: 'model-provider' });
}

function fromApiError(
  error: APIError,
  context: ErrorContext,
  target: string,
  make: (
    message: string,
    extra: { statusCode?: number; retryable?: boolean; retryAfterMs?: number; code: string },
  ) => ModelProviderError,
): ModelProviderError {
  const status = error.status;
  const detail = serverMessage(error);
  if (status === undefined) {
    // An error event inside a stream.
    return make(`${target} reported an error mid-stream: ${detail}`, { retryable: false, code: 'stream-error' });
  }
  const headers = error.headers;
  const shouldRetryHeader = headers?.get('x-should-retry');
  const retryable =
    shouldRetryHeader === 'true' ? true : shouldRetryHeader === 'false' ? false : RETRYABLE_STATUS.has(status) || status >= 500;
  const retryAfterMs = retryAfterMsFromHeaders(headers);
  const base = { statusCode: status, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  switch (status) {
    case 401:
      return make(
        `${target} rejected the API key (401): ${detail}. Check OPENAI_API_KEY or the \`apiKey\` setting ` +
          '(for a local server, the key it was started with).',
        { ...base, code: 'authentication' },
      );
    case 403:
      return make(
        `${target} denied access (403): ${detail}. Check that the key may use this model, and the ` +
          '`organization` / `project` settings.',
        { ...base, code: 'permission-denied' },
      );
    case 404:
      return make(
        `${target} was not found (404): ${detail}. Check the model name (for vLLM, the --served-model-name), ` +
          `that \`baseURL\` ends in /v1, and that the server implements ${context.api === 'chat' ? '/v1/chat/completions' : "/v1/responses (else use api: 'chat')"}.`,
        { ...base, code: 'not-found' },
      );
    case 429:
      return make(`${target} is rate limited (429): ${detail}`, { ...base, code: 'rate-limit' });
    default:
      if (status >= 500) return make(`${target} had a server error (${status}): ${detail}`, { ...base, code: 'server-error' });
      if ((status === 400 || status === 413) && CONTEXT_LENGTH.test(detail)) {
        // The engine compacts the conversation and tries again (see `isContextLengthError` in @rlms/core).
        return make(`${target} refused the prompt as longer than the model's context window (${status}): ${detail}`, { ...base, retryable: false, code: 'context-length' });
      }
      return make(
        `${target} rejected the request (${status}): ${detail}. Check the model name and the call options ` +
          '(maxOutputTokens, temperature, stopSequences) against what this model accepts.',
        { ...base, code: status === 400 ? 'bad-request' : 'http-error' },
      );
  }
}

/**
 * `error` with its message redacted (an adapter's own errors quote upstream text). The same
 * instance when there was nothing to remove.
 */
function redactModelProviderError(error: ModelProviderError, secrets: readonly string[]): ModelProviderError {
  const message = redactSecrets(error.message, secrets);
  if (message === error.message) return error;
  return new ModelProviderError(message, {
    provider: error.provider,
    modelId: error.modelId,
    code: error.code,
    retryable: error.retryable,
    ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.cause === undefined ? {} : { cause: redactedCause(error.cause, secrets) }),
  });
}

/**
 * A copy of what the SDK threw that is safe to log: same `name`, redacted `message`, and only the
 * fields that cannot carry echoed text (`status`, `code`, the network `cause`'s code). The SDK's own
 * error keeps the raw body and headers, which may echo the key.
 */
function redactedCause(error: unknown, secrets: readonly string[]): Error {
  if (!(error instanceof Error)) return new Error(redactSecrets(String(error), secrets));
  const copy = new Error(redactSecrets(error.message, secrets));
  copy.name = error.name;
  const source = error as { status?: unknown; code?: unknown; cause?: unknown };
  const extra: Record<string, unknown> = {};
  if (typeof source.status === 'number') extra.status = source.status;
  if (typeof source.code === 'string' || typeof source.code === 'number') extra.code = redactSecrets(String(source.code), secrets);
  const network = source.cause as { code?: unknown } | undefined;
  if (typeof network?.code === 'string') extra.cause = Object.assign(new Error(network.code), { code: network.code });
  return Object.assign(copy, extra);
}

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message !== '') return body.message;
  return error.message;
}

function describeCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const causeText =
    cause instanceof Error
      ? `${cause.message}${(cause as { code?: unknown }).code ? ` (${String((cause as { code?: unknown }).code)})` : ''}`
      : '';
  return causeText !== '' && causeText !== error.message ? `${error.message}: ${causeText}` : error.message;
}

/** fetch reports network failures (refused, reset, cut mid-body) as `TypeError`s: "fetch failed", "terminated". */
function isNetworkTypeError(error: unknown): error is TypeError {
  return (
    error instanceof TypeError &&
    ((error as { cause?: unknown }).cause !== undefined || /fetch failed|terminated|network|socket|ECONN/i.test(error.message))
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
