import type { FinishReason, TokenUsage } from '@rlms/core';

/**
 * Reads token usage, finish reason and model id from the `raw` field of a LlamaIndex chat
 * response or stream chunk: the provider SDK's own response object. LlamaIndex does not
 * normalise these, so each known shape is read as its provider documents it. Anything not
 * reported stays `undefined`; nothing is estimated.
 */

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** A token count: a non-negative integer, else `undefined`. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function sum(...values: (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

function compact(usage: { -readonly [K in keyof TokenUsage]: number | undefined }): TokenUsage {
  const out: { -readonly [K in keyof TokenUsage]?: number } = {};
  for (const key of Object.keys(usage) as (keyof TokenUsage)[]) {
    const value = usage[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** One provider usage object (the value of `usage`, `usageMetadata`…) in rlms terms. */
function readUsageObject(usage: Fields): TokenUsage {
  // OpenAI Chat Completions and every OpenAI-compatible server (vLLM, Groq, Together, DeepSeek…).
  if ('prompt_tokens' in usage || 'completion_tokens' in usage) {
    return compact({
      inputTokens: count(usage['prompt_tokens']),
      cachedInputTokens: count(fields(usage['prompt_tokens_details'])?.['cached_tokens']),
      outputTokens: count(usage['completion_tokens']),
      reasoningTokens: count(fields(usage['completion_tokens_details'])?.['reasoning_tokens']),
      totalTokens: count(usage['total_tokens']),
    });
  }
  // Anthropic Messages: `input_tokens` excludes cache reads and writes, which are reported apart.
  if ('cache_read_input_tokens' in usage || 'cache_creation_input_tokens' in usage) {
    const uncached = count(usage['input_tokens']);
    const cacheRead = count(usage['cache_read_input_tokens']);
    const cacheWrite = count(usage['cache_creation_input_tokens']);
    return compact({
      inputTokens: uncached === undefined ? undefined : sum(uncached, cacheRead, cacheWrite),
      cachedInputTokens: uncached === undefined ? undefined : cacheRead,
      outputTokens: count(usage['output_tokens']),
      reasoningTokens: undefined,
      totalTokens: undefined,
    });
  }
  // OpenAI Responses API (and Anthropic stream deltas carrying only output tokens).
  if ('input_tokens' in usage || 'output_tokens' in usage) {
    return compact({
      inputTokens: count(usage['input_tokens']),
      cachedInputTokens: count(fields(usage['input_tokens_details'])?.['cached_tokens']),
      outputTokens: count(usage['output_tokens']),
      reasoningTokens: count(fields(usage['output_tokens_details'])?.['reasoning_tokens']),
      totalTokens: count(usage['total_tokens']),
    });
  }
  // Google Gemini: candidates exclude thinking tokens, which are reported apart.
  if ('promptTokenCount' in usage || 'candidatesTokenCount' in usage) {
    const candidates = count(usage['candidatesTokenCount']);
    const thoughts = count(usage['thoughtsTokenCount']);
    return compact({
      inputTokens: count(usage['promptTokenCount']),
      cachedInputTokens: count(usage['cachedContentTokenCount']),
      outputTokens: candidates === undefined ? undefined : sum(candidates, thoughts),
      reasoningTokens: candidates === undefined ? undefined : thoughts,
      totalTokens: count(usage['totalTokenCount']),
    });
  }
  // Mistral SDK (camelCase OpenAI fields).
  if ('promptTokens' in usage || 'completionTokens' in usage) {
    return compact({
      inputTokens: count(usage['promptTokens']),
      cachedInputTokens: undefined,
      outputTokens: count(usage['completionTokens']),
      reasoningTokens: undefined,
      totalTokens: count(usage['totalTokens']),
    });
  }
  // AWS Bedrock Converse.
  if ('inputTokens' in usage || 'outputTokens' in usage) {
    return compact({
      inputTokens: count(usage['inputTokens']),
      cachedInputTokens: undefined,
      outputTokens: count(usage['outputTokens']),
      reasoningTokens: undefined,
      totalTokens: count(usage['totalTokens']),
    });
  }
  return {};
}

/**
 * Token usage of one raw response or stream chunk. Known shapes: OpenAI Chat Completions and
 * OpenAI-compatible servers (`usage.prompt_tokens`), OpenAI Responses (`usage.input_tokens`, also
 * inside `response.completed` events), Anthropic (`usage` with cache fields, also inside
 * `message_start`), Gemini (`usageMetadata`), Ollama (`prompt_eval_count`/`eval_count`), Mistral,
 * Bedrock Converse (also inside stream `metadata`). Returns `{}` when none is found.
 */
export function usageFromRaw(raw: unknown): TokenUsage {
  const root = fields(raw);
  if (root === undefined) return {};
  if ('prompt_eval_count' in root || 'eval_count' in root) {
    const input = count(root['prompt_eval_count']);
    const output = count(root['eval_count']);
    return compact({
      inputTokens: input,
      cachedInputTokens: undefined,
      outputTokens: output,
      reasoningTokens: undefined,
      totalTokens: input !== undefined && output !== undefined ? input + output : undefined,
    });
  }
  const holders = [root, fields(root['message']), fields(root['response']), fields(root['metadata'])];
  for (const holder of holders) {
    const usage = fields(holder?.['usage']) ?? fields(holder?.['usageMetadata']);
    if (usage !== undefined) return readUsageObject(usage);
  }
  return {};
}

/** Merges stream usage reports field by field; a later report of a field replaces an earlier one. */
export function mergeUsage(earlier: TokenUsage, later: TokenUsage): TokenUsage {
  return { ...earlier, ...later };
}

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  completed: 'stop',
  complete: 'stop',
  eos: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  model_length: 'length',
  content_filter: 'content-filter',
  content_filtered: 'content-filter',
  safety: 'content-filter',
  recitation: 'content-filter',
  refusal: 'content-filter',
  blocklist: 'content-filter',
  prohibited_content: 'content-filter',
  spii: 'content-filter',
  guardrail_intervened: 'content-filter',
  tool_calls: 'tool-calls',
  tool_use: 'tool-calls',
  function_call: 'tool-calls',
  error: 'error',
  failed: 'error',
};

function mapReason(value: unknown): FinishReason | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return FINISH_REASONS[value.toLowerCase()] ?? 'other';
}

/**
 * Why generation stopped, from one raw response or stream chunk: `choices[0].finish_reason`
 * (OpenAI-compatible, Mistral), `stop_reason` (Anthropic, also in `message_delta.delta`),
 * `done_reason` (Ollama), `candidates[0].finishReason` (Gemini), `stopReason` (Bedrock),
 * `status`/`incomplete_details` (OpenAI Responses). `undefined` when none is reported.
 */
export function finishReasonFromRaw(raw: unknown): FinishReason | undefined {
  const root = fields(raw);
  if (root === undefined) return undefined;
  const choices = root['choices'];
  if (Array.isArray(choices)) {
    const choice = fields(choices[0]);
    const reason = mapReason(choice?.['finish_reason'] ?? choice?.['finishReason']);
    if (reason !== undefined) return reason;
  }
  const candidates = root['candidates'];
  if (Array.isArray(candidates)) {
    const reason = mapReason(fields(candidates[0])?.['finishReason']);
    if (reason !== undefined) return reason;
  }
  const direct =
    mapReason(root['stop_reason']) ??
    mapReason(fields(root['delta'])?.['stop_reason']) ??
    mapReason(root['done_reason']) ??
    mapReason(root['stopReason']) ??
    mapReason(fields(root['messageStop'])?.['stopReason']);
  if (direct !== undefined) return direct;
  const response = root['object'] === 'response' ? root : fields(root['response']);
  if (response !== undefined && typeof response['status'] === 'string') {
    if (response['status'] === 'incomplete') return mapReason(fields(response['incomplete_details'])?.['reason']) ?? 'other';
    if (response['status'] === 'completed') return 'stop';
    if (response['status'] === 'failed') return 'error';
  }
  return undefined;
}

/** The model that answered, when the raw response names it (`model`, Gemini's `modelVersion`, nested `response`/`message`). */
export function responseModelFromRaw(raw: unknown): string | undefined {
  const root = fields(raw);
  if (root === undefined) return undefined;
  for (const holder of [root, fields(root['response']), fields(root['message'])]) {
    const model = holder?.['model'] ?? holder?.['modelVersion'];
    if (typeof model === 'string' && model.length > 0) return model;
  }
  return undefined;
}
