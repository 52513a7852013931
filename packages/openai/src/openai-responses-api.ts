import type OpenAI from 'openai';
import type { ResponseCreateParams } from 'openai/resources/responses/responses';
import type { FinishReason, ModelCallOptions, TokenUsage } from '@rlms/core/spec';
import { ModelProviderError } from '@rlms/core/spec';
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
import { preview } from './openai-chat-api.js';
import { ResponseShapeError } from './to-model-provider-error.js';

/**
 * The Responses endpoint (`POST /v1/responses`). Requests are stateless (`store: false`); stop
 * sequences are applied client-side (the endpoint has no `stop`).
 */
export function responsesAdapter(traits: ModelTraits, provider: string): OpenAIApiAdapter {
  return {
    api: 'responses',
    plan: (options, stream) => planResponsesRequest(options, stream, traits),
    send: (client: OpenAI, body, requestOptions) =>
      client.responses.create(body as unknown as ResponseCreateParams, requestOptions),
    parse(raw) {
      if (!isRecord(raw) || raw.object !== 'response' || !Array.isArray(raw.output)) {
        throw new ResponseShapeError(`expected a response object with \`output\`, got ${preview(raw)}`);
      }
      throwIfFailed(raw, traits.modelId, provider);
      return { text: outputText(raw.output), ...summary(raw) };
    },
    streamFolder: () => new ResponsesStreamFolder(traits.modelId, provider),
  };
}

function planResponsesRequest(options: ModelCallOptions, stream: boolean, traits: ModelTraits): RequestPlan {
  const body: Record<string, unknown> = {
    model: traits.modelId,
    input: options.messages.map((message) => ({
      type: 'message',
      role: roleOf(message, traits),
      content: message.content,
    })),
    store: false,
  };
  if (options.maxOutputTokens !== undefined) body.max_output_tokens = options.maxOutputTokens;
  if (options.temperature !== undefined && !traits.reasoning) body.temperature = options.temperature;
  if (traits.reasoningEffort !== undefined) body.reasoning = { effort: traits.reasoningEffort };
  Object.assign(body, traits.extraBody);
  if (stream) body.stream = true;
  return { body, clientStopSequences: options.stopSequences ?? [] };
}

function outputText(output: readonly unknown[]): string {
  const texts: string[] = [];
  for (const item of output) {
    if (!isRecord(item) || item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content) {
      if (isRecord(part) && part.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
    }
  }
  return texts.join('');
}

function throwIfFailed(response: Record<string, unknown>, modelId: string, provider: string): void {
  if (response.status !== 'failed') return;
  const error = isRecord(response.error) ? response.error : {};
  const message = typeof error.message === 'string' ? error.message : 'no error message';
  throw new ModelProviderError(`The response from model '${modelId}' failed: ${message}`, {
    provider,
    modelId,
    code: typeof error.code === 'string' ? `response-failed:${error.code}` : 'response-failed',
    retryable: error.code === 'server_error',
  });
}

function summary(response: Record<string, unknown>): ReplySummary {
  return {
    usage: isRecord(response.usage) ? usageOf(response.usage) : {},
    finishReason: finishReasonOf(response),
    responseModelId: typeof response.model === 'string' && response.model !== '' ? response.model : undefined,
  };
}

/** Maps Responses `usage` to `TokenUsage`. */
function usageOf(usage: Record<string, unknown>): TokenUsage {
  const inputDetails = isRecord(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const outputDetails = isRecord(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return tokenUsage({
    inputTokens: usage.input_tokens,
    cachedInputTokens: inputDetails.cached_tokens,
    outputTokens: usage.output_tokens,
    reasoningTokens: outputDetails.reasoning_tokens,
    totalTokens: usage.total_tokens,
  });
}

function finishReasonOf(response: Record<string, unknown>): FinishReason {
  if (response.status === 'completed') return 'stop';
  if (response.status === 'incomplete') {
    const reason = isRecord(response.incomplete_details) ? response.incomplete_details.reason : undefined;
    if (reason === 'max_output_tokens') return 'length';
    if (reason === 'content_filter') return 'content-filter';
    return 'other';
  }
  return 'unknown';
}

class ResponsesStreamFolder implements StreamFolder {
  private final: Record<string, unknown> | undefined;

  constructor(
    private readonly modelId: string,
    private readonly provider: string,
  ) {}

  accept(event: unknown): string {
    if (!isRecord(event)) return '';
    switch (event.type) {
      case 'response.output_text.delta':
        return typeof event.delta === 'string' ? event.delta : '';
      case 'response.completed':
      case 'response.incomplete':
        if (isRecord(event.response)) this.final = event.response;
        return '';
      case 'response.failed':
        if (isRecord(event.response)) throwIfFailed({ ...event.response, status: 'failed' }, this.modelId, this.provider);
        return '';
      case 'error':
        throw new ModelProviderError(
          `The response stream of model '${this.modelId}' reported an error: ${typeof event.message === 'string' ? event.message : preview(event)}`,
          { provider: this.provider, modelId: this.modelId, code: 'stream-error' },
        );
      default:
        return '';
    }
  }

  end(): ReplySummary | undefined {
    return this.final === undefined ? undefined : summary(this.final);
  }
}
