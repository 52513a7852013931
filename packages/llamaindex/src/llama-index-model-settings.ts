import type { TokenUsage } from '@rlms/core';

/** What {@link LlamaIndexModelSettings.additionalChatOptions} receives for each call. */
export interface LlamaIndexChatCall {
  /** Whether this call streams (`LLM.chat({ stream: true })`). */
  readonly stream: boolean;
  /** The engine's output token cap for this call (`RLMSettings.maxOutputTokens`), when set. */
  readonly maxOutputTokens?: number;
  /** The engine's temperature for this call (`RLMSettings.temperature`), when set. */
  readonly temperature?: number;
  /** The call's abort signal, for LLMs that accept one among their chat options. */
  readonly abortSignal?: AbortSignal;
}

/** Settings of {@link fromLlamaIndex}. Every field is optional. */
export interface LlamaIndexModelSettings {
  /**
   * Provider name used in usage tables and trajectories (`provider:modelId`).
   * Default: the LLM's class name in lower case (`OpenAI` → `'openai'`, `Anthropic` → `'anthropic'`), else `'llamaindex'`.
   */
  readonly provider?: string;
  /** Model id used in usage tables, pricing look-ups and `llm_query(model=…)`. Default: `llm.metadata.model`. */
  readonly modelId?: string;
  /**
   * Context window in tokens, used by the engine to refuse sub-prompts that cannot fit.
   * Default: `llm.metadata.contextWindow` when it is at least 2 048 (LlamaIndex LLM classes report
   * 1 024 as a placeholder for models they do not know, e.g. `new OpenAI({ model: 'my-vllm-model' })`).
   * `null` turns the guard off.
   */
  readonly contextWindowTokens?: number | null;
  /**
   * Extra `additionalChatOptions` for every `LLM.chat` call, in the LLM's own vocabulary: an object,
   * or a function of the call (to forward `maxOutputTokens`/`temperature`, or an abort signal to an
   * LLM that takes one). Merged over the LLM's own defaults by the LLM.
   *
   * @example Ask OpenAI-compatible servers for usage on streamed calls too:
   * ```ts
   * fromLlamaIndex(new OpenAI({ model: 'gpt-4o-mini' }), {
   *   additionalChatOptions: ({ stream }) => (stream ? { stream_options: { include_usage: true } } : undefined),
   * });
   * ```
   */
  readonly additionalChatOptions?: object | ((call: LlamaIndexChatCall) => object | undefined);
  /**
   * When true, `generate` streams the reply (`LLM.chat({ stream: true })`) and stops reading when
   * aborted, which closes the HTTP request of LLMs built on streaming SDK clients (OpenAI,
   * Anthropic, Ollama). When false (default), `generate` makes one plain `chat` call; an abort
   * then rejects at once but the LLM's request runs on until it ends, since `LLM.chat` takes no signal.
   */
  readonly streamGenerate?: boolean;
  /**
   * Whether transient failures (408, 409, 429, 5xx, connection errors) are reported as retryable,
   * so the engine retries them (`RLMSettings.maxRetries`). Default: true, unless the LLM has a
   * positive numeric `maxRetries` (as `@llamaindex/openai` has, 10 by default): it already retried,
   * and retries must not multiply across layers.
   */
  readonly engineRetries?: boolean;
  /**
   * Reads token usage from a raw response or stream chunk (`ChatResponse.raw`), for providers whose
   * shape is not known here. Return `undefined` to fall back to the built-in readers (OpenAI and
   * compatible servers, OpenAI Responses, Anthropic, Gemini, Ollama, Mistral, Bedrock).
   */
  readonly usage?: (raw: unknown) => TokenUsage | undefined;
}
