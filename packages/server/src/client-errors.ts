import {
  AnswerValidationError,
  ConfigurationError,
  ContextError,
  ModelProviderError,
  RLMError,
  SandboxError,
  redactSecrets,
  type RLMResult,
} from '@rlms/core';
import { HttpError } from './openai-error.js';

/**
 * What clients are told when something fails on the server's side: the status, a code and a generic
 * sentence with the request id. The details (upstream messages quote internal URLs and echoed keys)
 * go to the server log only, redacted, through `HttpError.detail`.
 */
function serverSide(status: number, what: string, code: string, requestId: string, detail: string): HttpError {
  return new HttpError(status, `${what} Details are in the server log under request ${requestId}.`, {
    type: 'server_error',
    code,
    detail,
  });
}

function codeOf(error: unknown, fallback: string): string {
  return RLMError.isInstance(error) ? error.code.replaceAll('-', '_').replaceAll(':', '_') : fallback;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The HTTP error for a run that ended with status `error`. */
export function runFailure(result: RLMResult<unknown>, requestId: string): HttpError {
  const error = result.error;
  const detail = result.statusDetail ?? (error === undefined ? 'unknown error' : messageOf(error));
  if (ModelProviderError.isInstance(error)) {
    return serverSide(502, "The RLM's model provider failed.", 'upstream_model_error', requestId, detail);
  }
  if (AnswerValidationError.isInstance(error)) {
    return serverSide(500, "The RLM's answer did not match the response_format schema after the allowed retries.", 'answer_validation', requestId, detail);
  }
  if (SandboxError.isInstance(error)) return serverSide(500, "The RLM's sandbox failed.", codeOf(error, 'sandbox'), requestId, detail);
  return serverSide(500, 'The RLM run failed.', codeOf(error, 'rlm_run_failed'), requestId, detail);
}

/** `ConfigurationError` codes that are about the client's own `response_format` schema. */
const CLIENT_SCHEMA_CODES = new Set(['json-schema-too-large', 'json-schema-too-deep', 'json-schema-too-complex', 'invalid-json-schema']);

/**
 * The HTTP error for a query that was rejected before running or crashed: a 400 with the message
 * when the client's input is at fault (its context or its schema), a generic 500 otherwise.
 */
export function queryFailure(error: unknown, requestId: string, knownSecrets: readonly string[]): HttpError {
  if (error instanceof HttpError) return error;
  const clientInput = ContextError.isInstance(error) || (ConfigurationError.isInstance(error) && CLIENT_SCHEMA_CODES.has(error.code));
  if (clientInput) {
    return new HttpError(400, redactSecrets(error.message, knownSecrets), { type: 'invalid_request_error', code: codeOf(error, 'invalid_request') });
  }
  if (ConfigurationError.isInstance(error)) {
    return serverSide(500, 'The RLM behind this server is misconfigured.', codeOf(error, 'configuration'), requestId, messageOf(error));
  }
  return serverSide(500, 'Internal error while running the RLM.', 'internal_error', requestId, messageOf(error));
}

/** An unexpected failure outside a run. */
export function internalFailure(error: unknown, requestId: string): HttpError {
  return serverSide(500, 'Internal server error.', 'internal_error', requestId, messageOf(error));
}

/**
 * A run's `statusDetail` as clients see it (in the `rlm.status_detail` field of an answer): its first
 * clause, written by the engine ("maxIterations (5) was reached"), without what a failed closing call
 * appended, and redacted.
 */
export function clientStatusDetail(detail: string | undefined, knownSecrets: readonly string[] = []): string | undefined {
  if (detail === undefined) return undefined;
  const first = detail.split('; ')[0]!.replace(/\b[a-z][a-z0-9+.-]{0,31}:\/\/\S+/gi, '[url]');
  return redactSecrets(first.length > 300 ? `${first.slice(0, 300)}…` : first, knownSecrets);
}
