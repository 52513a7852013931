import {
  ConfigurationError,
  abortErrorFor,
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
import type {
  ChatMessage as LlamaIndexChatMessage,
  ChatResponse,
  ChatResponseChunk,
  LLM,
  MessageContent,
} from '@llamaindex/core/llms';
import type { LlamaIndexChatCall, LlamaIndexModelSettings } from './llama-index-model-settings.js';
import { finishReasonFromRaw, mergeUsage, responseModelFromRaw, usageFromRaw } from './raw-response.js';
import { StopSequenceCutter, applyStopSequences } from './stop-sequences.js';
import { toModelProviderError } from './to-model-provider-error.js';

/** Below this, a LlamaIndex `metadata.contextWindow` is a placeholder (1 024 for unknown models), not a window. */
const MIN_TRUSTED_CONTEXT_WINDOW = 2048;

/** Converts rlms chat messages to LlamaIndex chat messages (roles map one to one). */
export function toLlamaIndexMessages(messages: readonly ChatMessage[]): LlamaIndexChatMessage[] {
  return messages.map((message) => ({ role: message.role, content: message.content }));
}

/** The text of a LlamaIndex message content: the string, or its text parts joined. */
export function textOfContent(content: MessageContent | undefined | null): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { type: 'text'; text: string } => part?.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function readMetadata(llm: LLM): { model?: unknown; contextWindow?: unknown } {
  try {
    return (llm.metadata as { model?: unknown; contextWindow?: unknown } | undefined) ?? {};
  } catch {
    // Some LLMs compute metadata from settings that may be absent; identity falls back below.
    return {};
  }
}

function defaultProvider(llm: LLM): string {
  const name = (llm as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && /^[A-Za-z][\w$]*$/.test(name) && name !== 'Object' ? name.toLowerCase() : 'llamaindex';
}

function resolveContextWindow(setting: number | null | undefined, metadataWindow: unknown): number | undefined {
  if (setting === null) return undefined;
  if (setting !== undefined) {
    if (!Number.isInteger(setting) || setting <= 0) {
      throw new ConfigurationError(
        `fromLlamaIndex: \`contextWindowTokens\` must be a positive integer (or null to turn the guard off); got ${String(setting)}.`,
        { code: 'invalid-setting' },
      );
    }
    return setting;
  }
  return typeof metadataWindow === 'number' && Number.isInteger(metadataWindow) && metadataWindow >= MIN_TRUSTED_CONTEXT_WINDOW
    ? metadataWindow
    : undefined;
}

/**
 * A LlamaIndex.TS `LLM` as an rlms model provider (`ModelProviderV1`). Create it with {@link fromLlamaIndex}.
 *
 * Calls go through the LLM's own `chat`, so its retries, callbacks and LlamaIndex instrumentation apply.
 */
export class LlamaIndexModelProvider implements ModelProviderV1 {
  readonly specificationVersion = 'rlms-model-v1' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly contextWindowTokens?: number;
  /** The adapted LlamaIndex LLM. */
  readonly llm: LLM;
  private readonly settings: LlamaIndexModelSettings;
  private readonly engineRetries: boolean;

  constructor(llm: LLM, settings: LlamaIndexModelSettings = {}) {
    if (typeof llm !== 'object' || llm === null || typeof (llm as { chat?: unknown }).chat !== 'function') {
      throw new ConfigurationError(
        'fromLlamaIndex(llm) needs a LlamaIndex LLM with a `chat` method, e.g. new OpenAI({ model: "gpt-4o-mini" }) from @llamaindex/openai.',
        { code: 'invalid-model' },
      );
    }
    if (settings.additionalChatOptions !== undefined && typeof settings.additionalChatOptions !== 'object' && typeof settings.additionalChatOptions !== 'function') {
      throw new ConfigurationError('fromLlamaIndex: `additionalChatOptions` must be an object or a function of the call.', {
        code: 'invalid-setting',
      });
    }
    const metadata = readMetadata(llm);
    this.llm = llm;
    this.settings = settings;
    this.provider = nonEmpty(settings.provider) ?? defaultProvider(llm);
    this.modelId = nonEmpty(settings.modelId) ?? nonEmpty(metadata.model) ?? 'llamaindex-llm';
    const window = resolveContextWindow(settings.contextWindowTokens, metadata.contextWindow);
    if (window !== undefined) this.contextWindowTokens = window;
    const ownRetries = (llm as { maxRetries?: unknown }).maxRetries;
    this.engineRetries = settings.engineRetries ?? !(typeof ownRetries === 'number' && ownRetries > 0);
  }

  private chatOptions(options: ModelCallOptions, stream: boolean): { additionalChatOptions?: object } {
    const extra = this.settings.additionalChatOptions;
    if (extra === undefined) return {};
    let value: object | undefined;
    if (typeof extra === 'function') {
      const call: LlamaIndexChatCall = {
        stream,
        ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      };
      value = extra(call);
    } else value = extra;
    return value === undefined || value === null ? {} : { additionalChatOptions: value };
  }

  private usageOf(raw: unknown): TokenUsage {
    const custom = this.settings.usage?.(raw);
    return custom ?? usageFromRaw(raw);
  }

  private failure(error: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return (error as { name?: unknown } | null)?.name === 'AbortError' ? (error as Error) : abortErrorFor(signal, { cause: error });
    return toModelProviderError(error, this, this.engineRetries);
  }

  /**
   * One call through `llm.chat({ stream: false })` (or a drained stream when `streamGenerate` is set).
   * Usage, finish reason and model come from `response.raw` when the provider reports them
   * (`undefined`/`'unknown'` otherwise). Stop sequences are applied on the client. Rejects with an
   * `AbortError`-named error as soon as `abortSignal` fires, and with `ModelProviderError` (message
   * carrying the LLM's error) when the LLM fails.
   */
  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    if (this.settings.streamGenerate === true) return collect(this.stream(options));
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let response: ChatResponse;
    try {
      response = await raceAbort(
        this.llm.chat({ messages: toLlamaIndexMessages(options.messages), stream: false, ...this.chatOptions(options, false) }),
        signal,
      );
    } catch (error) {
      throw this.failure(error, signal);
    }
    const raw = response.raw;
    const cut = applyStopSequences(textOfContent(response.message?.content), options.stopSequences ?? []);
    const responseModelId = responseModelFromRaw(raw);
    return {
      text: cut.text,
      usage: this.usageOf(raw),
      finishReason: cut.stopped ? 'stop' : (finishReasonFromRaw(raw) ?? 'unknown'),
      ...(responseModelId === undefined ? {} : { responseModelId }),
    };
  }

  /**
   * Streams one call through `llm.chat({ stream: true })`; the last part is `finish` with the usage
   * gathered from the chunks' `raw` (providers report it in their last chunks, if at all). On abort,
   * or once a stop sequence is seen, the LLM's stream is closed (`return()`), which cancels the
   * request of SDK-based LLMs.
   */
  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let started: Promise<AsyncIterable<ChatResponseChunk>> | undefined;
    let iterable: AsyncIterable<ChatResponseChunk>;
    try {
      started = Promise.resolve(this.llm.chat({ messages: toLlamaIndexMessages(options.messages), stream: true, ...this.chatOptions(options, true) }));
      iterable = await raceAbort(started, signal);
    } catch (error) {
      // A stream that arrives after the abort is closed unread.
      void started?.then(closeIterable, () => undefined);
      throw this.failure(error, signal);
    }
    const iterator = iterable[Symbol.asyncIterator]();
    const cutter = new StopSequenceCutter(options.stopSequences ?? []);
    let usage: TokenUsage = {};
    let finishReason: FinishReason | undefined;
    let responseModelId: string | undefined;
    let exhausted = false;
    try {
      while (!cutter.stopped) {
        let next: IteratorResult<ChatResponseChunk>;
        try {
          next = await raceAbort(iterator.next(), signal);
        } catch (error) {
          throw this.failure(error, signal);
        }
        if (next.done === true) {
          exhausted = true;
          break;
        }
        const chunk = next.value;
        if (chunk.raw !== null && chunk.raw !== undefined) {
          usage = mergeUsage(usage, this.usageOf(chunk.raw));
          finishReason = finishReasonFromRaw(chunk.raw) ?? finishReason;
          responseModelId = responseModelFromRaw(chunk.raw) ?? responseModelId;
        }
        const text = cutter.push(typeof chunk.delta === 'string' ? chunk.delta : '');
        if (text.length > 0) yield { type: 'text-delta', delta: text };
      }
    } finally {
      if (!exhausted) closeIterator(iterator);
    }
    const tail = cutter.flush();
    if (tail.length > 0) yield { type: 'text-delta', delta: tail };
    yield {
      type: 'finish',
      usage,
      finishReason: cutter.stopped ? 'stop' : (finishReason ?? 'unknown'),
      ...(responseModelId === undefined ? {} : { responseModelId }),
    };
  }
}

/** Asks an iterator to stop without waiting (its `return()` may be queued behind a pending `next()`). */
function closeIterator(iterator: AsyncIterator<unknown>): void {
  try {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  } catch {
    // A throwing `return()` has nothing left to free.
  }
}

function closeIterable(iterable: AsyncIterable<unknown>): void {
  try {
    closeIterator(iterable[Symbol.asyncIterator]());
  } catch {
    // Not iterable after all: nothing to close.
  }
}

async function collect(parts: AsyncIterable<ModelStreamPart>): Promise<ModelResponse> {
  let text = '';
  for await (const part of parts) {
    if (part.type === 'text-delta') text += part.delta;
    else {
      return {
        text,
        usage: part.usage,
        finishReason: part.finishReason,
        ...(part.responseModelId === undefined ? {} : { responseModelId: part.responseModelId }),
      };
    }
  }
  return { text, usage: {}, finishReason: 'unknown' };
}

/**
 * Wraps any LlamaIndex.TS `LLM` (`OpenAI`, `Anthropic`, `Gemini`, `Ollama`, your own `BaseLLM`…)
 * as an rlms model provider, for `createRLM({ model, subModel })` or `RLMQueryEngine`. Does no I/O.
 *
 * Usage is read from the provider's raw response when it reports it and left `undefined` otherwise
 * (never estimated). Throws `ConfigurationError` when `llm` has no `chat` method or a setting is invalid.
 *
 * @example
 * ```ts
 * import { OpenAI } from '@llamaindex/openai';
 * const model = fromLlamaIndex(new OpenAI({ model: 'gpt-4o-mini' }));
 * ```
 */
export function fromLlamaIndex(llm: LLM, settings: LlamaIndexModelSettings = {}): LlamaIndexModelProvider {
  return new LlamaIndexModelProvider(llm, settings);
}
