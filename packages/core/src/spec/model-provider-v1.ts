/**
 * The model specification, version 1. Type-only: it imports nothing from the engine.
 *
 * A model provider turns a list of chat messages into a text reply. Every root call, sub-call
 * (`llm_query`) and child run of an RLM goes through this interface, so any backend that
 * implements it (OpenAI, an OpenAI-compatible server, the AI SDK, LangChain, LlamaIndex, a mock)
 * can drive an RLM.
 */
import type { TokenUsage } from './usage.js';

/** Role of one chat message. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** One chat message. Content is plain text. */
export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

/** Options of one model call. */
export interface ModelCallOptions {
  /** The conversation, oldest first. */
  readonly messages: readonly ChatMessage[];
  /** Upper bound on generated tokens. Providers map it to their own parameter name. */
  readonly maxOutputTokens?: number;
  /** Sampling temperature. Providers drop it for models that do not accept it. */
  readonly temperature?: number;
  /** Stop generating at any of these strings. */
  readonly stopSequences?: readonly string[];
  /** Aborts the call; the promise rejects with an `AbortError`-named error. */
  readonly abortSignal?: AbortSignal;
  /** Extra HTTP headers for providers that speak HTTP. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Why the model stopped generating. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other' | 'unknown';

/** The reply of one model call. */
export interface ModelResponse {
  /** The generated text. */
  readonly text: string;
  /** Token usage as reported by the backend. Fields the backend does not report stay `undefined`. */
  readonly usage: TokenUsage;
  readonly finishReason: FinishReason;
  /** Cost of this call in US dollars, when the provider knows its prices; otherwise `undefined`. */
  readonly costUsd?: number;
  /** The model that actually answered, when the backend says (may differ from the requested id). */
  readonly responseModelId?: string;
}

/** One part of a streamed reply. */
export type ModelStreamPart =
  | { readonly type: 'text-delta'; readonly delta: string }
  | {
      readonly type: 'finish';
      readonly usage: TokenUsage;
      readonly finishReason: FinishReason;
      readonly costUsd?: number;
      readonly responseModelId?: string;
    };

/**
 * A language model backend, specification version 1.
 *
 * Implementations must:
 * - reject with an error whose `name` is `'AbortError'` when `abortSignal` fires;
 * - never invent usage: a field the backend does not report is `undefined`;
 * - do no I/O in their factory (`createX(settings)`), only in `generate`/`stream`.
 */
export interface ModelProviderV1 {
  readonly specificationVersion: 'rlms-model-v1';
  /** Provider name, e.g. `'openai'`, `'anthropic'`, `'mock'`. */
  readonly provider: string;
  /** Model id as sent to the backend, e.g. `'gpt-4o'`. */
  readonly modelId: string;
  /** Size of the model's context window in tokens, when known. Used to guard sub-prompts. */
  readonly contextWindowTokens?: number;
  /** One complete call. */
  generate(options: ModelCallOptions): Promise<ModelResponse>;
  /** Streams one call; the last part is `finish`. Optional. */
  stream?(options: ModelCallOptions): AsyncIterable<ModelStreamPart>;
}
