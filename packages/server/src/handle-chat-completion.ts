import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  ConfigurationError,
  ContextError,
  ModelProviderError,
  RLMError,
  saveTrajectory,
  type AnswerSchema,
  type RLMResult,
} from '@rlms/core';
import {
  answerDeltas,
  answerText,
  chatCompletion,
  chatCompletionChunk,
  finishReasonOf,
  runSummaryOf,
  usageOf,
  type CompletionIdentity,
} from './chat-completion-objects.js';
import { messagesToQuery } from './messages-to-query.js';
import { HttpError, sendError, sendJson } from './openai-error.js';
import { parseChatRequest, type ChatCompletionRequest } from './parse-chat-request.js';
import { readJsonBody } from './read-json-body.js';
import type { ResolvedServerSettings } from './rlm-server-settings.js';
import type { ActiveRun } from './run-registry.js';
import { SseStream } from './sse-stream.js';
import { streamProgress } from './stream-progress.js';

/** What a handled completion request reports for the request log. */
export interface CompletionOutcome {
  readonly status: number;
  readonly stream: boolean;
  readonly runStatus?: string;
  readonly totalTokens?: number;
  readonly iterations?: number;
  readonly clientGone?: boolean;
}

const SHUTTING_DOWN = 'The server is shutting down; retry the request on another instance or later.';

function schemaOf(request: ChatCompletionRequest): AnswerSchema | undefined {
  const format = request.responseFormat;
  if (format.type === 'json_schema') return format.schema;
  if (format.type === 'json_object') return { type: 'object' };
  return undefined;
}

/** The HTTP error for a run that ended with status `error`. */
function runFailure(result: RLMResult<unknown>): HttpError {
  const error = result.error;
  if (ModelProviderError.isInstance(error)) {
    return new HttpError(502, `The RLM's model call failed: ${error.message}`, { type: 'server_error', code: 'upstream_model_error' });
  }
  const detail = result.statusDetail ?? error?.message ?? 'unknown error';
  return new HttpError(500, `The RLM run failed: ${detail}`, {
    type: 'server_error',
    code: RLMError.isInstance(error) ? error.code.replaceAll('-', '_') : 'rlm_run_failed',
  });
}

/** The HTTP error for a query that was rejected before running (bad input) or crashed. */
function queryFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (ContextError.isInstance(error) || ConfigurationError.isInstance(error)) {
    return new HttpError(400, error.message, { type: 'invalid_request_error', code: error.code.replaceAll('-', '_') });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, `Internal error while running the RLM: ${message}`, { type: 'server_error', code: 'internal_error' });
}

const shutdownError = () => new HttpError(503, SHUTTING_DOWN, { type: 'server_error', code: 'server_shutting_down' });

/**
 * Answers `POST /v1/chat/completions` with an RLM run, as JSON or as SSE. The caller has checked
 * authentication and taken `run`'s slot; this releases nothing (the caller does).
 */
export async function handleChatCompletion(
  req: IncomingMessage,
  res: ServerResponse,
  settings: ResolvedServerSettings,
  run: ActiveRun,
): Promise<CompletionOutcome> {
  const body = await readJsonBody(req, settings.maxBodyBytes);
  const request = parseChatRequest(body);
  const query = messagesToQuery(request.messages, { thresholdChars: settings.contextThresholdChars });
  const schema = schemaOf(request);
  const identity: CompletionIdentity = {
    id: `chatcmpl-${randomUUID().replaceAll('-', '')}`,
    created: Math.floor(Date.now() / 1000),
    model: settings.modelName,
  };
  const abortOnClose = () => {
    if (!res.writableFinished) run.controller.abort(new Error('The client disconnected.'));
  };
  res.on('close', abortOnClose);
  const sse = request.stream ? new SseStream(res, settings.keepAliveMs) : undefined;
  try {
    if (run.controller.signal.aborted) throw run.shutdown ? shutdownError() : new Error('The client disconnected.');
    const rlm = settings.getRLM();
    sse?.start();
    sse?.data(chatCompletionChunk(identity, { delta: { role: 'assistant', content: '' } }, { includeUsage: request.includeUsage }));
    let result: RLMResult<unknown>;
    try {
      result = await rlm.query({
        context: query.context,
        question: query.question,
        abortSignal: run.controller.signal,
        ...(schema === undefined ? {} : { schema }),
        ...(sse === undefined ? {} : { onEvent: streamProgress(sse) }),
      });
    } catch (error) {
      const failure = queryFailure(error);
      if (sse === undefined) throw failure;
      sse.data(failure.body());
      sse.end(false);
      return { status: failure.status, stream: true };
    }
    const outcome = { runStatus: result.status, totalTokens: result.usage.total.totalTokens, iterations: result.iterations };
    const clientGone = res.destroyed || (run.controller.signal.aborted && !run.shutdown);
    const failure = failureOf(result, run);
    // Saved before answering, so a client can open the trajectory as soon as it has the answer.
    await saveRunTrajectory(settings, identity.id, result);
    if (!clientGone) {
      if (sse !== undefined) respondStream(sse, identity, result, failure, request.includeUsage);
      else if (failure !== undefined) sendError(res, failure);
      else sendJson(res, 200, chatCompletion(identity, result));
    }
    const status = clientGone ? 499 : sse !== undefined ? 200 : (failure?.status ?? 200);
    return { status, stream: sse !== undefined, clientGone, ...outcome };
  } finally {
    sse?.dispose();
    res.off('close', abortOnClose);
  }
}

/** The error a finished run is answered with, or `undefined` when it has an answer. */
function failureOf(result: RLMResult<unknown>, run: ActiveRun): HttpError | undefined {
  if (result.status === 'error') return runFailure(result);
  if (result.status === 'aborted') {
    return run.shutdown ? shutdownError() : new HttpError(500, 'The RLM run was aborted.', { type: 'server_error', code: 'run_aborted' });
  }
  return undefined;
}

function respondStream(
  sse: SseStream,
  identity: CompletionIdentity,
  result: RLMResult<unknown>,
  failure: HttpError | undefined,
  includeUsage: boolean,
): void {
  if (failure !== undefined) {
    // OpenAI clients raise an APIError for a `data: {"error": …}` event.
    sse.data(failure.body());
    sse.end(false);
    return;
  }
  for (const delta of answerDeltas(answerText(result))) {
    sse.data(chatCompletionChunk(identity, { delta: { content: delta } }, { includeUsage }));
  }
  sse.data(chatCompletionChunk(identity, { delta: {}, finishReason: finishReasonOf(result.status) }, { includeUsage, rlm: runSummaryOf(result) }));
  if (includeUsage) sse.data(chatCompletionChunk(identity, undefined, { includeUsage, usage: usageOf(result) }));
  sse.end();
}

async function saveRunTrajectory(settings: ResolvedServerSettings, id: string, result: RLMResult<unknown>): Promise<void> {
  if (settings.trajectoryDir === undefined) return;
  const path = join(settings.trajectoryDir, `${id}.json`);
  try {
    await saveTrajectory(result.trajectory, path);
  } catch (error) {
    settings.log({
      level: 'warn',
      event: 'trajectory-error',
      message: `could not write the trajectory ${path}: ${(error as Error).message}`,
    });
  }
}
