import type OpenAI from 'openai';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { FinishReason, ModelCallOptions, TokenUsage } from '@rlms/core/spec';
import {
  isRecord,
  roleOf,
  tokenUsage,
  type ModelTraits,
  type OpenAIApiAdapter,
  type ReplySummary,
  type RequestPlan,
  type StreamFolder,
} from './openai-api-adapter.js';
import { ResponseShapeError } from './to-model-provider-error.js';

/** Most stop sequences Chat Completions accepts; with more, all are applied client-side. */
const MAX_SERVER_STOP_SEQUENCES = 4;

/** The Chat Completions endpoint (`POST /v1/chat/completions`). */
export function chatCompletionsAdapter(traits: ModelTraits): OpenAIApiAdapter {
  return {
    api: 'chat',
    plan: (options, stream) => planChatRequest(options, stream, traits),
    send: (client: OpenAI, body, requestOptions) =>
      client.chat.completions.create(body as unknown as ChatCompletionCreateParams, requestOptions),
    parse(raw) {
      if (!isRecord(raw) || !Array.isArray(raw.choices)) {
        throw new ResponseShapeError(`expected a chat.completion object with \`choices\`, got ${preview(raw)}`);
      }
      const choice: unknown = raw.choices[0];
      if (!isRecord(choice) || !isRecord(choice.message)) {
        throw new ResponseShapeError(`the chat.completion has no choice with a message: ${preview(raw)}`);
      }
      const content = choice.message.content;
      return {
        text: typeof content === 'string' ? content : '',
        ...summary(raw, choice.finish_reason),
      };
    },
    streamFolder: () => new ChatStreamFolder(),
  };
}

function planChatRequest(options: ModelCallOptions, stream: boolean, traits: ModelTraits): RequestPlan {
  const stops = options.stopSequences ?? [];
  const serverStops = !traits.reasoning && stops.length <= MAX_SERVER_STOP_SEQUENCES;
  const body: Record<string, unknown> = {
    model: traits.modelId,
    messages: options.messages.map((message) => ({ role: roleOf(message, traits), content: message.content })),
  };
  if (options.maxOutputTokens !== undefined) {
    body[traits.reasoning ? 'max_completion_tokens' : 'max_tokens'] = options.maxOutputTokens;
  }
  if (options.temperature !== undefined && !traits.reasoning) body.temperature = options.temperature;
  if (serverStops && stops.length > 0) body.stop = [...stops];
  if (traits.reasoningEffort !== undefined) body.reasoning_effort = traits.reasoningEffort;
  Object.assign(body, traits.extraBody);
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { body, clientStopSequences: serverStops ? [] : stops };
}

class ChatStreamFolder implements StreamFolder {
  private finishReason: unknown;
  private usage: TokenUsage = {};
  private model: string | undefined;

  accept(event: unknown): string {
    if (!isRecord(event)) return '';
    if (typeof event.model === 'string' && event.model !== '') this.model = event.model;
    if (isRecord(event.usage)) this.usage = usageOf(event.usage);
    const choice: unknown = Array.isArray(event.choices) ? event.choices[0] : undefined;
    if (!isRecord(choice)) return '';
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.finishReason = choice.finish_reason;
    const delta = isRecord(choice.delta) ? choice.delta.content : undefined;
    return typeof delta === 'string' ? delta : '';
  }

  end(): ReplySummary | undefined {
    if (this.finishReason === undefined) return undefined;
    return { usage: this.usage, finishReason: finishReasonOf(this.finishReason), responseModelId: this.model };
  }
}

function summary(raw: Record<string, unknown>, finishReason: unknown): ReplySummary {
  return {
    usage: isRecord(raw.usage) ? usageOf(raw.usage) : {},
    finishReason: finishReasonOf(finishReason),
    responseModelId: typeof raw.model === 'string' && raw.model !== '' ? raw.model : undefined,
  };
}

/** Maps Chat Completions `usage` (including the optional detail objects) to `TokenUsage`. */
function usageOf(usage: Record<string, unknown>): TokenUsage {
  const promptDetails = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completionDetails = isRecord(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  return tokenUsage({
    inputTokens: usage.prompt_tokens,
    cachedInputTokens: promptDetails.cached_tokens,
    outputTokens: usage.completion_tokens,
    reasoningTokens: completionDetails.reasoning_tokens,
    totalTokens: usage.total_tokens,
  });
}

function finishReasonOf(value: unknown): FinishReason {
  switch (value) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case null:
    case undefined:
      return 'unknown';
    default:
      return 'other';
  }
}

/** A short preview of an unexpected body, for error messages. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
