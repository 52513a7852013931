import type { RLMResult, RunStatus } from '@rlms/core';
import { clientStatusDetail } from './client-errors.js';

/** OpenAI `usage` object, counted over the whole RLM tree (root, sub-calls, child runs). */
export interface CompletionUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
  readonly completion_tokens_details: { readonly reasoning_tokens: number };
}

/** Extra field `rlm` of responses and final chunks: how the run went. Clients ignore unknown fields. */
export interface RLMRunSummary {
  readonly status: RunStatus;
  readonly status_detail?: string | undefined;
  readonly iterations: number;
  readonly subcalls: number;
  readonly model_calls: number;
  readonly duration_ms: number;
  /** Known cost of the tree in US dollars; `null` when no call had a known price. */
  readonly cost_usd: number | null;
}

/** The `finish_reason` of a run: `stop` when the RLM finished, `length` when a budget or limit forced the answer. */
export function finishReasonOf(status: RunStatus): 'stop' | 'length' {
  return status === 'completed' ? 'stop' : 'length';
}

/** The answer as message text: strings as they are, typed (schema) answers as JSON. */
export function answerText(result: RLMResult<unknown>): string {
  return typeof result.answer === 'string' ? result.answer : JSON.stringify(result.answer) ?? '';
}

/** The OpenAI usage object of a run. */
export function usageOf(result: RLMResult<unknown>): CompletionUsage {
  const total = result.usage.total;
  return {
    prompt_tokens: total.inputTokens,
    completion_tokens: total.outputTokens,
    total_tokens: total.totalTokens,
    prompt_tokens_details: { cached_tokens: total.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: total.reasoningTokens },
  };
}

/** The `rlm` summary of a run. */
export function runSummaryOf(result: RLMResult<unknown>): RLMRunSummary {
  return {
    status: result.status,
    // Only the engine's own first clause, redacted: what a failed call appended stays in the log.
    ...(result.statusDetail === undefined ? {} : { status_detail: clientStatusDetail(result.statusDetail) }),
    iterations: result.iterations,
    subcalls: result.subcalls,
    model_calls: result.usage.total.calls,
    duration_ms: result.durationMs,
    cost_usd: result.costUsd ?? null,
  };
}

/** Identity shared by a response and all chunks of a stream. */
export interface CompletionIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** A non-streaming `chat.completion` object. */
export function chatCompletion(identity: CompletionIdentity, result: RLMResult<unknown>): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answerText(result), refusal: null },
        logprobs: null,
        finish_reason: finishReasonOf(result.status),
      },
    ],
    usage: usageOf(result),
    rlm: runSummaryOf(result),
  };
}

/** One `chat.completion.chunk`. `usage` is `null` on every chunk but the last when usage was asked for. */
export function chatCompletionChunk(
  identity: CompletionIdentity,
  choice: { delta: Record<string, unknown>; finishReason?: 'stop' | 'length' } | undefined,
  options: { includeUsage: boolean; usage?: CompletionUsage; rlm?: RLMRunSummary },
): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: choice === undefined ? [] : [{ index: 0, delta: choice.delta, logprobs: null, finish_reason: choice.finishReason ?? null }],
    ...(options.includeUsage ? { usage: options.usage ?? null } : {}),
    ...(options.rlm === undefined ? {} : { rlm: options.rlm }),
  };
}

/** Splits the answer into stream deltas of about `size` characters, never inside a surrogate pair. */
export function answerDeltas(text: string, size = 256): string[] {
  const deltas: string[] = [];
  let offset = 0;
  while (offset < text.length) {
    let end = Math.min(text.length, offset + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    deltas.push(text.slice(offset, end));
    offset = end;
  }
  return deltas;
}
