import type { ServerResponse } from 'node:http';
import type { AnswerSchema, RLMResult } from '@rlms/core';
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
import { checkClientSchema, clientAnswerSchema } from './client-schema.js';
import { queryFailure, runFailure } from './client-errors.js';
import { messagesToQuery, type MessagesQuery } from './messages-to-query.js';
import { HttpError, sendError, sendJson } from './openai-error.js';
import { parseChatRequest, type ChatCompletionRequest } from './parse-chat-request.js';
import type { ResolvedServerSettings } from './rlm-server-settings.js';
import type { ActiveRun } from './run-registry.js';
import { saveRunTrajectory } from './save-run-trajectory.js';
import type { SchemaValidationPool } from './schema-validation-pool.js';
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
  /** What failed, for the log only (redacted there). */
  readonly detail?: string;
}

/** A request checked and turned into an RLM query, before a run slot is taken. */
export interface PreparedCompletion {
  readonly id: string;
  readonly request: ChatCompletionRequest;
  readonly query: MessagesQuery;
}

const SHUTTING_DOWN = 'The server is shutting down; retry the request on another instance or later.';

/**
 * Validates a parsed body (400 `HttpError`s naming the parameter), turns its messages into an RLM
 * query and holds its `response_format` schema to the server's limits. Cheap and bounded: it runs
 * before the request may take a run slot.
 */
export function prepareCompletion(body: unknown, settings: ResolvedServerSettings, id: string): PreparedCompletion {
  const request = parseChatRequest(body);
  const query = messagesToQuery(request.messages, { thresholdChars: settings.contextThresholdChars });
  if (request.responseFormat.type === 'json_schema') checkClientSchema(request.responseFormat.schema, settings);
  return { id, request, query };
}

function schemaOf(request: ChatCompletionRequest, pool: SchemaValidationPool, signal: AbortSignal): AnswerSchema | undefined {
  const format = request.responseFormat;
  // The client's schema is checked in the pool's workers; the fixed `json_object` one on the spot.
  if (format.type === 'json_schema') return clientAnswerSchema(format.schema, pool, signal);
  if (format.type === 'json_object') return { type: 'object' };
  return undefined;
}

const shutdownError = () => new HttpError(503, SHUTTING_DOWN, { type: 'server_error', code: 'server_shutting_down' });

/**
 * Answers `POST /v1/chat/completions` with an RLM run, as JSON or as SSE. The caller has checked
 * authentication, read and prepared the body, and taken `run`'s slot; this releases nothing.
 */
export async function handleChatCompletion(
  res: ServerResponse,
  settings: ResolvedServerSettings,
  run: ActiveRun,
  prepared: PreparedCompletion,
  pool: SchemaValidationPool,
): Promise<CompletionOutcome> {
  const { request, query } = prepared;
  const schema = schemaOf(request, pool, run.controller.signal);
  const identity: CompletionIdentity = { id: prepared.id, created: Math.floor(Date.now() / 1000), model: settings.modelName };
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
      const failure = queryFailure(error, identity.id, settings.knownSecrets);
      if (sse === undefined) throw failure;
      sse.data(failure.body());
      sse.end(false);
      return { status: failure.status, stream: true, ...(failure.detail === undefined ? {} : { detail: failure.detail }) };
    }
    const outcome = { runStatus: result.status, totalTokens: result.usage.total.totalTokens, iterations: result.iterations };
    const clientGone = res.destroyed || (run.controller.signal.aborted && !run.shutdown);
    const failure = failureOf(result, run, identity.id);
    // Saved before answering, so a client can open the trajectory as soon as it has the answer.
    await saveRunTrajectory(settings, identity.id, result);
    if (!clientGone) {
      if (sse !== undefined) respondStream(sse, identity, result, failure, request.includeUsage);
      else if (failure !== undefined) sendError(res, failure);
      else sendJson(res, 200, chatCompletion(identity, result));
    }
    const status = clientGone ? 499 : sse !== undefined ? 200 : (failure?.status ?? 200);
    return { status, stream: sse !== undefined, clientGone, ...outcome, ...(failure?.detail === undefined ? {} : { detail: failure.detail }) };
  } finally {
    sse?.dispose();
    res.off('close', abortOnClose);
  }
}

/** The error a finished run is answered with, or `undefined` when it has an answer. */
function failureOf(result: RLMResult<unknown>, run: ActiveRun, requestId: string): HttpError | undefined {
  if (result.status === 'error') return runFailure(result, requestId);
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
