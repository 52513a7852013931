import type {
  LanguageModelV2,
  LanguageModelV3,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Prompt,
  SharedV4ProviderOptions,
} from '@ai-sdk/provider';
import {
  ConfigurationError,
  raceAbort,
  throwIfAborted,
  type ChatMessage,
  type FinishReason,
  type ModelCallOptions,
  type ModelProviderV1,
  type ModelResponse,
  type ModelStreamPart,
  type TokenUsage,
} from '@rlms/core';
import { fromLanguageModelUsage } from './map-usage.js';
import { toRLMError } from './map-model-error.js';

/** Any language model object the AI SDK accepts: specification `v4`, `v3` or `v2`. */
export type AISDKLanguageModel = LanguageModelV4 | LanguageModelV3 | LanguageModelV2;

/** Settings of {@link fromAISDK}. */
export interface AISDKModelProviderSettings {
  /**
   * The model's context window in tokens. AI SDK models do not expose it; give it so the engine
   * can refuse sub-prompts that would overflow the sub-model (the REPL gets a clear error string).
   * Default: unknown (no guard).
   */
  readonly contextWindowTokens?: number;
  /** Provider options sent with every call, e.g. `{ anthropic: { thinking: { type: 'enabled', budgetTokens: 2048 } } }`. */
  readonly providerOptions?: SharedV4ProviderOptions;
  /** HTTP headers sent with every call (merged under the per-call headers). */
  readonly headers?: Readonly<Record<string, string>>;
}

const FINISH_REASONS = new Set<FinishReason>(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other', 'unknown']);
const SPEC_VERSIONS = new Set(['v4', 'v3', 'v2']);

/** The unified finish reason (V4/V3 `{ unified, raw }`, V2 string) as rlms's `FinishReason`. */
function finishReasonOf(reason: unknown): FinishReason {
  const unified = typeof reason === 'object' && reason !== null ? (reason as { unified?: unknown }).unified : reason;
  if (unified === 'interrupted') return 'other';
  return typeof unified === 'string' && FINISH_REASONS.has(unified as FinishReason) ? (unified as FinishReason) : 'unknown';
}

function toPrompt(messages: readonly ChatMessage[]): LanguageModelV4Prompt {
  return messages.map((message) =>
    message.role === 'system'
      ? { role: 'system', content: message.content }
      : { role: message.role, content: [{ type: 'text', text: message.content }] },
  );
}

function textOf(content: readonly { type: string; text?: unknown }[] | undefined): string {
  let text = '';
  for (const part of content ?? []) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}

/**
 * An AI SDK language model as an rlms model provider (`ModelProviderV1`). Create it with
 * {@link fromAISDK}. Calls the model's `doGenerate` / `doStream` directly (no AI SDK retries:
 * the engine retries retryable errors itself).
 */
export class AISDKModelProvider implements ModelProviderV1 {
  readonly specificationVersion = 'rlms-model-v1' as const;
  /** The AI SDK model's `provider`, e.g. `'anthropic.messages'`, `'openai.responses'`. */
  readonly provider: string;
  readonly modelId: string;
  readonly contextWindowTokens: number | undefined;
  /** The wrapped AI SDK model. */
  readonly model: AISDKLanguageModel;
  private readonly settings: AISDKModelProviderSettings;

  constructor(model: AISDKLanguageModel, settings: AISDKModelProviderSettings = {}) {
    this.model = model;
    this.settings = settings;
    this.provider = model.provider;
    this.modelId = model.modelId;
    this.contextWindowTokens = settings.contextWindowTokens;
  }

  private callOptions(options: ModelCallOptions): LanguageModelV4CallOptions {
    const headers = { ...this.settings.headers, ...options.headers };
    return {
      prompt: toPrompt(options.messages),
      ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.stopSequences === undefined ? {} : { stopSequences: [...options.stopSequences] }),
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      ...(this.settings.providerOptions === undefined ? {} : { providerOptions: this.settings.providerOptions }),
    };
  }

  /**
   * One call through the model's `doGenerate`. Rejects with `RLMAbortError` when `abortSignal`
   * fires (even if the model ignores it), `ModelProviderError` for API failures (status code and
   * `retryable` kept), `ConfigurationError` for a missing API key or unknown model.
   */
  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    const signal = options.abortSignal;
    throwIfAborted(signal);
    try {
      // The text prompt and the call options have the same shape in every specification version.
      const result = await raceAbort((this.model as LanguageModelV4).doGenerate(this.callOptions(options)), signal);
      const modelId = result.response?.modelId;
      return {
        text: textOf(result.content),
        usage: fromLanguageModelUsage(result.usage),
        finishReason: finishReasonOf(result.finishReason),
        ...(typeof modelId === 'string' ? { responseModelId: modelId } : {}),
      };
    } catch (error) {
      throw toRLMError(error, this, signal);
    }
  }

  /** Streams one call through the model's `doStream`; the last part is `finish`. Errors as {@link generate}. */
  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let reader: ReadableStreamDefaultReader<{ type: string } & Record<string, unknown>> | undefined;
    let usage: TokenUsage = {};
    let finishReason: FinishReason | undefined;
    let responseModelId: string | undefined;
    try {
      const result = await raceAbort((this.model as LanguageModelV4).doStream(this.callOptions(options)), signal);
      reader = (result.stream as ReadableStream<{ type: string } & Record<string, unknown>>).getReader();
      for (;;) {
        const { done, value: part } = await raceAbort(reader.read(), signal);
        if (done) break;
        if (part.type === 'text-delta') {
          // `delta` since V2; `textDelta` in older streams.
          const delta = typeof part.delta === 'string' ? part.delta : typeof part.textDelta === 'string' ? part.textDelta : '';
          if (delta.length > 0) yield { type: 'text-delta', delta };
        } else if (part.type === 'response-metadata' && typeof part.modelId === 'string') {
          responseModelId = part.modelId;
        } else if (part.type === 'finish') {
          usage = fromLanguageModelUsage(part.usage as never);
          finishReason = finishReasonOf(part.finishReason);
        } else if (part.type === 'error') {
          throw part.error;
        }
      }
    } catch (error) {
      throw toRLMError(error, this, signal);
    } finally {
      reader?.cancel().catch(() => undefined);
    }
    yield {
      type: 'finish',
      usage,
      // A stream that ended without a finish part was cut short.
      finishReason: finishReason ?? 'unknown',
      ...(responseModelId === undefined ? {} : { responseModelId }),
    };
  }
}

/**
 * Wraps any AI SDK language model (specification `v4`, `v3` or `v2`: Anthropic, Google, Bedrock,
 * Mistral, OpenAI, the gateway…) as an rlms model provider, for the RLM's root model, its
 * sub-model, or both. Does no I/O.
 *
 * ```ts
 * import { anthropic } from '@ai-sdk/anthropic';
 * const model = fromAISDK(anthropic('claude-sonnet-4-5'), { contextWindowTokens: 200_000 });
 * ```
 *
 * @throws ConfigurationError when `model` is a string id (wrap it: `gateway('openai/gpt-4o')`),
 *   not a language model, of an unsupported specification version, or when
 *   `contextWindowTokens` is not a positive integer.
 */
export function fromAISDK(model: AISDKLanguageModel, settings: AISDKModelProviderSettings = {}): AISDKModelProvider {
  if (typeof model === 'string') {
    throw new ConfigurationError(
      `fromAISDK() needs a model object, not the string "${model as string}": wrap it with its provider, e.g. gateway('${model as string}') from 'ai' or anthropic('…') from '@ai-sdk/anthropic'.`,
      { code: 'invalid-model' },
    );
  }
  const candidate = model as Partial<LanguageModelV4> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.doGenerate !== 'function' || typeof candidate.doStream !== 'function') {
    throw new ConfigurationError('fromAISDK() needs an AI SDK language model (an object with doGenerate and doStream), e.g. openai("gpt-4o").', {
      code: 'invalid-model',
    });
  }
  if (!SPEC_VERSIONS.has(String(candidate.specificationVersion))) {
    throw new ConfigurationError(
      `fromAISDK() supports language models of specification v4, v3 and v2; got "${String(candidate.specificationVersion)}". Upgrade the @ai-sdk provider package.`,
      { code: 'unsupported-model-version' },
    );
  }
  const window = settings.contextWindowTokens;
  if (window !== undefined && (!Number.isInteger(window) || window <= 0)) {
    throw new ConfigurationError(`\`contextWindowTokens\` must be a positive integer; got ${String(window)}.`, { code: 'invalid-setting' });
  }
  return new AISDKModelProvider(model, settings);
}
