import type { FinishReason, TokenUsage } from '@rlms/core';
import type { BaseMessage, UsageMetadata } from '@langchain/core/messages';

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

/**
 * Token usage of a LangChain reply, from its `usage_metadata`. Fields the model did not report stay
 * `undefined` (never invented): `input_tokens` → `inputTokens`, `output_tokens` → `outputTokens`,
 * `total_tokens` → `totalTokens`, `input_token_details.cache_read` → `cachedInputTokens`,
 * `output_token_details.reasoning` → `reasoningTokens`. A reply without `usage_metadata` gives `{}`.
 */
export function usageFromMessage(message: BaseMessage): TokenUsage {
  const metadata = (message as { usage_metadata?: UsageMetadata }).usage_metadata;
  if (metadata === undefined || metadata === null || typeof metadata !== 'object') return {};
  const usage: { -readonly [K in keyof TokenUsage]: TokenUsage[K] } = {};
  const inputTokens = count(metadata.input_tokens);
  const outputTokens = count(metadata.output_tokens);
  const totalTokens = count(metadata.total_tokens);
  const cachedInputTokens = count(metadata.input_token_details?.cache_read);
  const reasoningTokens = count(metadata.output_token_details?.reasoning);
  if (inputTokens !== undefined) usage.inputTokens = inputTokens;
  if (outputTokens !== undefined) usage.outputTokens = outputTokens;
  if (totalTokens !== undefined) usage.totalTokens = totalTokens;
  if (cachedInputTokens !== undefined) usage.cachedInputTokens = cachedInputTokens;
  if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens;
  return usage;
}

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  complete: 'stop',
  eos: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  content_filter: 'content-filter',
  safety: 'content-filter',
  recitation: 'content-filter',
  refusal: 'content-filter',
  blocklist: 'content-filter',
  prohibited_content: 'content-filter',
  tool_calls: 'tool-calls',
  tool_use: 'tool-calls',
  function_call: 'tool-calls',
  error: 'error',
};

/**
 * Why the model stopped, from the reply's `response_metadata` (`finish_reason` as OpenAI, Mistral,
 * Google and Groq report it, `stop_reason` as Anthropic and Bedrock do). `'unknown'` when the
 * model says nothing, `'other'` for a reason with no equivalent.
 */
export function finishReasonFromMessage(message: BaseMessage): FinishReason {
  const metadata = (message.response_metadata ?? {}) as Record<string, unknown>;
  const raw = metadata.finish_reason ?? metadata.stop_reason ?? metadata.finishReason ?? metadata.stopReason ?? metadata.done_reason;
  if (typeof raw !== 'string' || raw.length === 0) return 'unknown';
  return FINISH_REASONS[raw.toLowerCase()] ?? 'other';
}

/** The model that actually answered, when the reply's `response_metadata` names it. */
export function responseModelFromMessage(message: BaseMessage): string | undefined {
  const metadata = (message.response_metadata ?? {}) as Record<string, unknown>;
  const name = metadata.model_name ?? metadata.model ?? metadata.model_id ?? metadata.modelId;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}
