import {
  ConfigurationError,
  ModelProviderError,
  RLMAbortError,
  abortErrorFor,
  isAbortError,
  raceAbort,
  throwIfAborted,
  type ChatMessage,
  type ModelCallOptions,
  type ModelProviderV1,
  type ModelResponse,
  type ModelStreamPart,
} from '@rlms/core';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig, RunnableInterface } from '@langchain/core/runnables';
import { concat } from '@langchain/core/utils/stream';
import { finishReasonFromMessage, responseModelFromMessage, usageFromMessage } from './message-metadata.js';

/**
 * What `fromLangChain` adapts: any LangChain chat model (`ChatOpenAI`, `ChatAnthropic`,
 * `ChatOllama`, `FakeListChatModel`…), or a runnable wrapping one (`model.withConfig(…)`,
 * `model.withRetry()`, `model.pipe(new StringOutputParser())`), as long as it takes messages and
 * returns a message or a string.
 */
export type LangChainChatModelLike = BaseChatModel | RunnableInterface<BaseLanguageModelInput, BaseMessage | string>;

/** Settings of {@link fromLangChain}. Every field is optional. */
export interface LangChainModelSettings {
  /** Provider name used in usage tables and trajectories. Default: the model's `ls_provider` (e.g. `'openai'`), else its `_llmType()`. */
  readonly provider?: string;
  /** Model id used in usage tables, pricing look-ups and `llm_query(model=…)`. Default: the model's `ls_model_name`, `model` or `modelName`, else its class name. */
  readonly modelId?: string;
  /** Context window in tokens, used to guard sub-prompts. Default: the model's `profile.maxInputTokens`, when it has one. */
  readonly contextWindowTokens?: number;
  /**
   * Call options added to every call (`tags`, `metadata`, `callbacks`, provider-specific options
   * the model accepts at call time). `signal` and `stop` are set per call by rlms.
   */
  readonly callOptions?: Partial<RunnableConfig> & Record<string, unknown>;
  /**
   * Whether transient failures (HTTP 408, 409, 429, 5xx, timeouts, connection resets) are reported
   * as retryable, so the engine retries them (`RLMSettings.maxRetries`). Default: `true` only when
   * the model does not retry on its own, i.e. its `maxRetries` is 0 (read from `model.caller`, or
   * from a `maxRetries` call option in `callOptions` or `withConfig`) and it is not wrapped in
   * `withRetry()`. LangChain chat models retry by default (`maxRetries: 6`), so by default their
   * errors, raised after those retries, are final: retries must not multiply across layers.
   */
  readonly engineRetries?: boolean;
}

interface ChatModelShape {
  _llmType(): string;
  getName(): string;
  getLsParams?(options: unknown): { ls_provider?: string; ls_model_name?: string };
  readonly profile?: { maxInputTokens?: number };
}

function isChatModel(value: unknown): value is ChatModelShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ChatModelShape)._llmType === 'function' &&
    typeof (value as ChatModelShape).getName === 'function'
  );
}

/** Finds the chat model under bindings (`withConfig`, `bindTools`, `withRetry` keep it in `bound`) and sequences (`first`). */
function findChatModel(model: unknown): ChatModelShape | undefined {
  let current = model;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (isChatModel(current)) return current;
    current = (current as { bound?: unknown }).bound ?? (current as { first?: unknown }).first;
  }
  return undefined;
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

interface RetryingShape {
  /** `RunnableRetry` (`model.withRetry()`): attempts per call, default 3. */
  readonly maxAttemptNumber?: unknown;
  /** `RunnableBinding` (`withConfig`): call options, `maxRetries` among them. */
  readonly config?: { readonly maxRetries?: unknown };
  readonly kwargs?: { readonly maxRetries?: unknown };
  /** `BaseLanguageModel`: the `AsyncCaller` that integrations call through; `maxRetries` defaults to 6. */
  readonly caller?: { readonly maxRetries?: unknown };
  readonly bound?: unknown;
  readonly first?: unknown;
}

/**
 * Whether the model retries a failed call on its own: a `withRetry()` wrapper with more than one
 * attempt, or a chat model whose `maxRetries` is above 0. The per-call `maxRetries` option (which
 * LangChain defines as overriding the model's for one call) wins over `caller.maxRetries`: from
 * `callOptions` first, then the outermost binding that sets it. Reads the model, never changes it.
 */
function retriesItself(model: unknown, callOptions: Record<string, unknown>): boolean {
  let perCall = nonNegative(callOptions['maxRetries']);
  let current = model;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const node = current as RetryingShape;
    if (typeof node.maxAttemptNumber === 'number' && node.maxAttemptNumber > 1) return true;
    perCall ??= nonNegative(node.config?.maxRetries) ?? nonNegative(node.kwargs?.maxRetries);
    if (isChatModel(current)) return (perCall ?? nonNegative(node.caller?.maxRetries) ?? 0) > 0;
    current = node.bound ?? node.first;
  }
  return false;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function identify(model: LangChainChatModelLike, settings: LangChainModelSettings) {
  const chat = findChatModel(model);
  let params: { ls_provider?: string; ls_model_name?: string } = {};
  try {
    params = chat?.getLsParams?.({}) ?? {};
  } catch {
    // Some integrations read call options that are absent here; identity falls back below.
  }
  const fields = (chat ?? {}) as { model?: unknown; modelName?: unknown };
  let llmType: string | undefined;
  try {
    llmType = chat?._llmType();
  } catch {
    llmType = undefined;
  }
  const provider = nonEmpty(settings.provider) ?? nonEmpty(params.ls_provider) ?? nonEmpty(llmType) ?? 'langchain';
  const modelId =
    nonEmpty(settings.modelId) ??
    nonEmpty(params.ls_model_name) ??
    nonEmpty(fields.model) ??
    nonEmpty(fields.modelName) ??
    nonEmpty(chat?.getName()) ??
    nonEmpty((model as { getName?: () => string }).getName?.()) ??
    'langchain-chat-model';
  let window = settings.contextWindowTokens;
  if (window === undefined) {
    try {
      window = chat?.profile?.maxInputTokens;
    } catch {
      window = undefined;
    }
  }
  const contextWindowTokens = typeof window === 'number' && Number.isInteger(window) && window > 0 ? window : undefined;
  if (settings.contextWindowTokens !== undefined && contextWindowTokens === undefined) {
    throw new ConfigurationError(`\`contextWindowTokens\` must be a positive integer; got ${String(settings.contextWindowTokens)}.`, {
      code: 'invalid-setting',
    });
  }
  return { provider, modelId, contextWindowTokens };
}

/** Converts rlms chat messages to LangChain messages. */
function toLangChainMessages(messages: readonly ChatMessage[]): BaseMessage[] {
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
        return new SystemMessage(message.content);
      case 'assistant':
        return new AIMessage(message.content);
      default:
        return new HumanMessage(message.content);
    }
  });
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate =
    (error as { status?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode ??
    (error as { response?: { status?: unknown } }).response?.status;
  return typeof candidate === 'number' && Number.isInteger(candidate) ? candidate : undefined;
}

function retryAfterOf(error: unknown): number | undefined {
  const headers = (error as { headers?: unknown } | null)?.headers;
  let value: unknown;
  if (headers instanceof Headers) value = headers.get('retry-after-ms') ?? headers.get('retry-after');
  else if (typeof headers === 'object' && headers !== null) {
    const record = headers as Record<string, unknown>;
    const ms = Number(record['retry-after-ms']);
    if (Number.isFinite(ms) && ms >= 0) return ms;
    value = record['retry-after'];
  }
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * A LangChain chat model as an rlms model provider (`ModelProviderV1`). Create it with {@link fromLangChain}.
 *
 * Calls go through the model's own `invoke`/`stream`, so its retries, rate limiting, callbacks and
 * LangSmith tracing apply. Inside an `RLMChain` run, every call is traced as a child of the chain's run.
 * When the model retries on its own, its errors are not retryable for the engine ({@link LangChainModelSettings.engineRetries}).
 */
export class LangChainModelProvider implements ModelProviderV1 {
  readonly specificationVersion = 'rlms-model-v1' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly contextWindowTokens?: number;
  /** The adapted LangChain model. */
  readonly model: LangChainChatModelLike;
  /** Whether transient failures are marked retryable for the engine: see {@link LangChainModelSettings.engineRetries}. */
  readonly engineRetries: boolean;
  private readonly callOptions: Partial<RunnableConfig> & Record<string, unknown>;

  constructor(model: LangChainChatModelLike, settings: LangChainModelSettings = {}) {
    if (typeof model !== 'object' || model === null || typeof (model as { invoke?: unknown }).invoke !== 'function') {
      throw new ConfigurationError(
        'fromLangChain(model) needs a LangChain chat model (a BaseChatModel such as new ChatOpenAI({ model: "gpt-4o-mini" }), or a runnable wrapping one).',
        { code: 'invalid-model' },
      );
    }
    const identity = identify(model, settings);
    this.model = model;
    this.provider = identity.provider;
    this.modelId = identity.modelId;
    if (identity.contextWindowTokens !== undefined) this.contextWindowTokens = identity.contextWindowTokens;
    this.callOptions = { ...(settings.callOptions ?? {}) };
    if (settings.engineRetries !== undefined && typeof settings.engineRetries !== 'boolean') {
      throw new ConfigurationError(`\`engineRetries\` must be a boolean; got ${String(settings.engineRetries)}.`, { code: 'invalid-setting' });
    }
    this.engineRetries = settings.engineRetries ?? !retriesItself(model, this.callOptions);
  }

  private options(options: ModelCallOptions): Record<string, unknown> {
    return {
      ...this.callOptions,
      ...(options.abortSignal === undefined ? {} : { signal: options.abortSignal }),
      ...(options.stopSequences === undefined || options.stopSequences.length === 0 ? {} : { stop: [...options.stopSequences] }),
    };
  }

  private failure(error: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return RLMAbortError.isInstance(error) ? error : abortErrorFor(signal, { cause: error });
    if (ModelProviderError.isInstance(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    const statusCode = statusOf(error);
    const code = (error as { code?: unknown } | null)?.code;
    const timedOut = isAbortError(error) || (error as { name?: unknown } | null)?.name === 'TimeoutError';
    const transient =
      statusCode === undefined
        ? timedOut || (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code))
        : statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
    // A model that retries on its own has already spent its retries: the engine must not multiply them.
    const retryable = transient && this.engineRetries;
    const retryAfterMs = retryAfterOf(error);
    return new ModelProviderError(`LangChain model ${this.provider}:${this.modelId} failed: ${message}`, {
      provider: this.provider,
      modelId: this.modelId,
      retryable,
      ...(statusCode === undefined ? {} : { statusCode }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(timedOut ? { code: 'timeout' } : {}),
      cause: error,
    });
  }

  /**
   * One call through the model's `invoke`. Rejects with an `AbortError`-named error as soon as
   * `abortSignal` fires, and with `ModelProviderError` (message carrying the model's error) otherwise.
   * `maxOutputTokens`, `temperature` and `headers` are not forwarded: set them on the LangChain model.
   */
  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let message: BaseMessage | string;
    try {
      message = await raceAbort(this.model.invoke(toLangChainMessages(options.messages), this.options(options)), signal);
    } catch (error) {
      throw this.failure(error, signal);
    }
    // A runnable ending in a string output parser returns text alone.
    if (typeof message === 'string') return { text: message, usage: {}, finishReason: 'unknown' };
    const responseModelId = responseModelFromMessage(message);
    return {
      text: message.text,
      usage: usageFromMessage(message),
      finishReason: finishReasonFromMessage(message),
      ...(responseModelId === undefined ? {} : { responseModelId }),
    };
  }

  /** Streams one call through the model's `stream`; the last part is `finish` with the usage of the aggregated reply. */
  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let iterator: AsyncIterator<BaseMessage | string> | undefined;
    let finished = false;
    let aggregate: BaseMessage | undefined;
    try {
      try {
        const stream = await raceAbort(Promise.resolve(this.model.stream(toLangChainMessages(options.messages), this.options(options))), signal);
        iterator = stream[Symbol.asyncIterator]();
      } catch (error) {
        throw this.failure(error, signal);
      }
      for (;;) {
        let next: IteratorResult<BaseMessage | string>;
        try {
          next = await raceAbort(iterator.next(), signal);
        } catch (error) {
          throw this.failure(error, signal);
        }
        if (next.done === true) break;
        const chunk: BaseMessage | string = next.value;
        if (typeof chunk !== 'string') aggregate = aggregate === undefined ? chunk : concat(aggregate, chunk);
        const delta = typeof chunk === 'string' ? chunk : chunk.text;
        if (delta.length > 0) yield { type: 'text-delta', delta };
      }
      finished = true;
    } finally {
      if (!finished) void Promise.resolve(iterator?.return?.()).catch(() => undefined);
    }
    const responseModelId = aggregate === undefined ? undefined : responseModelFromMessage(aggregate);
    yield {
      type: 'finish',
      usage: aggregate === undefined ? {} : usageFromMessage(aggregate),
      finishReason: aggregate === undefined ? 'unknown' : finishReasonFromMessage(aggregate),
      ...(responseModelId === undefined ? {} : { responseModelId }),
    };
  }
}

/**
 * Wraps any LangChain chat model as an rlms model provider, for `createRLM({ model, subModel })`
 * or `RLMChain`. Does no I/O.
 *
 * Usage comes from the reply's `usage_metadata` when the model reports it (input, output, total,
 * `cache_read` → `cachedInputTokens`, `reasoning` → `reasoningTokens`) and is left `undefined`
 * otherwise. Throws `ConfigurationError` when `model` is not a runnable or `contextWindowTokens` or
 * `engineRetries` is invalid.
 *
 * Retries have one owner. Failures become `ModelProviderError`, retryable for HTTP 408/409/429/5xx,
 * timeouts and connection resets, so the engine retries them (`RLMSettings.maxRetries`, default 2),
 * unless the model retries on its own: LangChain chat models do by default (`maxRetries: 6`, in
 * `model.caller`), as does `model.withRetry()`. Their errors come after those retries and are then
 * marked `retryable: false`, so a call makes at most the model's `maxRetries + 1` requests, not
 * that many times the engine's. Build the model with `maxRetries: 0` to let the engine retry
 * instead (its backoff honours `retry-after` and the run's deadline), or force either way with
 * `engineRetries`. The model is never modified.
 *
 * @example
 * ```ts
 * const model = fromLangChain(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * ```
 */
export function fromLangChain(model: LangChainChatModelLike, settings: LangChainModelSettings = {}): LangChainModelProvider {
  return new LangChainModelProvider(model, settings);
}
