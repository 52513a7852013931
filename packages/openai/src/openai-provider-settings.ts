import type { ModelPricing } from '@rlms/core/spec';

/** Which OpenAI endpoint the provider calls. */
export type OpenAIApi = 'chat' | 'responses';

/** Role the provider gives to `system` messages. */
export type OpenAISystemMessageRole = 'system' | 'developer' | 'user';

/** Reasoning effort for reasoning models (`reasoning_effort` / `reasoning.effort`). */
export type OpenAIReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** Settings of {@link createOpenAIProvider}. Only `model` is required. */
export interface OpenAIProviderSettings {
  /** Model id as the server knows it, e.g. `'gpt-4.1-mini'` or `'mit-oasys/rlm-qwen3-8b-v0.1'`. */
  readonly model: string;
  /**
   * API key. Default: the `OPENAI_API_KEY` environment variable; when that is unset too and
   * `baseURL` is set, a placeholder key (local servers usually accept any key); otherwise the
   * factory throws a `ConfigurationError`.
   */
  readonly apiKey?: string;
  /**
   * Base URL of an OpenAI-compatible API, ending in `/v1`, e.g. `'http://localhost:8000/v1'`
   * (vLLM), `'http://localhost:11434/v1'` (Ollama), `'https://openrouter.ai/api/v1'`.
   * Default: the `OPENAI_BASE_URL` environment variable, else `https://api.openai.com/v1`.
   */
  readonly baseURL?: string;
  /** OpenAI organization id. Default: `OPENAI_ORG_ID` for api.openai.com; none for other servers. */
  readonly organization?: string;
  /** OpenAI project id. Default: `OPENAI_PROJECT_ID` for api.openai.com; none for other servers. */
  readonly project?: string;
  /** Extra HTTP headers sent with every request (e.g. OpenRouter's `HTTP-Referer`). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Endpoint: `'chat'` (Chat Completions, supported by every compatible server) or
   * `'responses'` (OpenAI's Responses API, for OpenAI reasoning models). Default `'chat'`.
   */
  readonly api?: OpenAIApi;
  /**
   * @deprecated Ignored (still checked to be an integer ≥ 0). The provider makes one request per
   * call and classifies failures (`retryable`, `retryAfterMs`); the engine is the one place that
   * retries, so a call makes at most `maxRetries + 1` requests instead of a product of two loops.
   * Set `maxRetries` on `createRLM` / `RecursiveLanguageModel` (default 2); outside the engine,
   * call `generateWithRetries(provider, options, { maxRetries })` from `@rlms/core`.
   */
  readonly maxRetries?: number;
  /**
   * @deprecated Ignored (still checked to be a number ≥ 0): the engine retries. Use `retryBaseDelayMs`
   * on `createRLM` / `RecursiveLanguageModel`, or `baseDelayMs` of `generateWithRetries`.
   */
  readonly retryBaseDelayMs?: number;
  /**
   * @deprecated Ignored (still checked to be a number ≥ 0): the engine retries and caps
   * `retry-after`. Use `retryMaxDelayMs` on `createRLM` / `RecursiveLanguageModel`, or `maxDelayMs`
   * of `generateWithRetries`.
   */
  readonly retryMaxDelayMs?: number;
  /**
   * Time limit of one request in milliseconds; a request that passes it fails with a retryable
   * `ModelProviderError` (`code: 'timeout'`). For `generate` it covers the whole request; for
   * `stream` it covers the wait for the response and then each gap between chunks. Default
   * `600_000` (10 minutes). Note: Node's built-in fetch gives up waiting for response headers
   * after 5 minutes; pass an undici `fetch` with a longer `headersTimeout` for slower servers.
   */
  readonly timeoutMs?: number;
  /** Context window in tokens. Default: known for common OpenAI models, else `undefined`. */
  readonly contextWindowTokens?: number;
  /**
   * Prices in USD per million tokens, used to compute `costUsd`. Default: the built-in OpenAI
   * price table by model id; models it does not know get `costUsd: undefined`.
   */
  readonly pricing?: ModelPricing;
  /**
   * Treat the model as a reasoning model (o1/o3/o4/gpt-5 families): send
   * `max_completion_tokens`, no `temperature`, no `stop` (applied client-side instead), and
   * `developer` instead of `system`. Default: detected from the model id.
   */
  readonly reasoningModel?: boolean;
  /** Reasoning effort for reasoning models. Default: the server's default. */
  readonly reasoningEffort?: OpenAIReasoningEffort;
  /** Role for `system` messages. Default: `'developer'` for reasoning models (`'user'` for o1-mini/o1-preview), else `'system'`. */
  readonly systemMessageRole?: OpenAISystemMessageRole;
  /**
   * Extra top-level fields merged into every request body, for server-specific options, e.g.
   * `{ chat_template_kwargs: { enable_thinking: false } }` for Qwen3 on vLLM or `{ top_k: 20 }`.
   */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** Provider name reported in `provider` (and in usage by model). Default `'openai'`. */
  readonly name?: string;
  /** Custom fetch implementation handed to the `openai` SDK (e.g. undici's, with a dispatcher). */
  readonly fetch?: typeof globalThis.fetch;
}
