/**
 * Types of the local OpenAI-compatible test server ({@link startOpenAICompatibleServer}).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Which OpenAI endpoint a model request went to. */
export type OpenAICompatibleApi = 'chat' | 'responses';

/**
 * One message of a model request, normalised from either API: Chat Completions `messages`, or
 * Responses `instructions` (as a leading `system` message) plus `input`. Content parts are
 * joined into one string.
 */
export interface ServerChatMessage {
  /** `'system'`, `'developer'`, `'user'` or `'assistant'` (whatever the client sent). */
  readonly role: string;
  readonly content: string;
}

/** What a reply function sees: the full parsed model request. */
export interface ServerReplyRequest {
  /** `'chat'` for `POST /v1/chat/completions`, `'responses'` for `POST /v1/responses`. */
  readonly api: OpenAICompatibleApi;
  /** The `model` field of the request. */
  readonly model: string;
  /** The conversation, oldest first (see {@link ServerChatMessage}). */
  readonly messages: readonly ServerChatMessage[];
  /** Content of the first `system` or `developer` message, if any. Handy to tell root calls from sub-calls. */
  readonly systemPrompt: string | undefined;
  /** Content of the last `user` message, if any. */
  readonly lastUserMessage: string | undefined;
  /** Whether the client asked for a streamed (SSE) reply. */
  readonly stream: boolean;
  /** Zero-based index of this model request among all model requests the server received. */
  readonly index: number;
  /** The parsed JSON body, as sent. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The HTTP request headers (lower-case names). */
  readonly headers: IncomingHttpHeaders;
}

/** Token counts a scripted reply may fix. Fields left out are estimated (see {@link estimateTokens}). */
export interface ServerReplyUsage {
  /** Prompt tokens. Default: `estimateTokens` of all message contents joined. */
  readonly inputTokens?: number;
  /** Completion tokens. Default: `estimateTokens(text)` plus `reasoningTokens`. */
  readonly outputTokens?: number;
  /** Cached prompt tokens; reported only when given (`prompt_tokens_details.cached_tokens`). */
  readonly cachedInputTokens?: number;
  /** Reasoning tokens; reported only when given (`completion_tokens_details.reasoning_tokens`). */
  readonly reasoningTokens?: number;
}

/** A scripted reply with explicit details. */
export interface ServerReplyObject {
  /** The assistant's text. */
  readonly text: string;
  /** Token counts to report instead of the estimates. */
  readonly usage?: ServerReplyUsage;
  /** Finish reason to report. Default `'stop'`. */
  readonly finishReason?: 'stop' | 'length' | 'content_filter';
  /** Model id to report in the response. Default: the requested model. */
  readonly model?: string;
}

/** A scripted reply: the text alone, or the text with details. */
export type ServerReply = string | ServerReplyObject;

/**
 * Computes the reply of one model request. May be async. Throwing makes the server answer
 * 500 (with `x-should-retry: false`) and record a failure.
 */
export type ServerReplyFunction = (request: ServerReplyRequest) => ServerReply | Promise<ServerReply>;

/**
 * A fault the server injects instead of (or while) answering a model request.
 *
 * - `rate-limit`: 429 with `retry-after` (seconds, default 1) and/or `retry-after-ms` headers.
 * - `server-error`: 500 (or `status`), an OpenAI-style `server_error` body.
 * - `unauthorized`: 401 `invalid_api_key`.
 * - `model-not-found`: 404 `model_not_found` naming the requested model.
 * - `http-error`: any status with the given message/code/headers.
 * - `drop-connection`: the socket is destroyed before any response byte.
 * - `hang`: no response at all until the client gives up or the server closes.
 * - `slow`: answers normally after `delayMs` (on top of the server's `latencyMs`).
 * - `malformed-json`: 200 with a body (or, when streaming, an SSE event) that is not valid JSON.
 * - `truncated-stream`: starts the reply, then destroys the socket mid-body: streamed replies stop
 *   after `afterChunks` content chunks (default 1) with no final chunk; plain replies stop halfway.
 */
export type ServerFault =
  | { readonly type: 'rate-limit'; readonly retryAfterSeconds?: number; readonly retryAfterMs?: number }
  | { readonly type: 'server-error'; readonly status?: number; readonly message?: string }
  | { readonly type: 'unauthorized' }
  | { readonly type: 'model-not-found' }
  | {
      readonly type: 'http-error';
      readonly status: number;
      readonly message?: string;
      readonly code?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly type: 'drop-connection' }
  | { readonly type: 'hang' }
  | { readonly type: 'slow'; readonly delayMs: number }
  | { readonly type: 'malformed-json' }
  | { readonly type: 'truncated-stream'; readonly afterChunks?: number };

/** A fault applied to every model request that matches `when`, at most `times` times. */
export interface ServerFaultRule {
  /** Which requests get the fault. */
  readonly when: (request: ServerReplyRequest) => boolean;
  readonly fault: ServerFault;
  /** How many requests to fault at most. Default: unlimited. */
  readonly times?: number;
}

/** Options of {@link startOpenAICompatibleServer}. */
export interface OpenAICompatibleServerOptions {
  /**
   * How to answer model requests: a list consumed in order (when it runs out, the server answers
   * 400 `script_exhausted` and records a failure), or a function of the request. Default: `[]`.
   */
  readonly replies?: readonly ServerReply[] | ServerReplyFunction;
  /**
   * Faults for the next model requests, one entry per request in arrival order; `null` means
   * "answer normally". Default: none.
   */
  readonly faults?: readonly (ServerFault | null)[];
  /** Faults by predicate, checked when the queue gives none. Default: none. */
  readonly faultRules?: readonly ServerFaultRule[];
  /** Fixed delay in milliseconds before every model reply (for benchmarks). Default `0`. */
  readonly latencyMs?: number;
  /** Delay in milliseconds between streamed chunks. Default `0`. */
  readonly streamChunkDelayMs?: number;
  /** When set, model requests must carry `Authorization: Bearer <apiKey>`; others get 401. */
  readonly apiKey?: string;
  /** Model ids listed by `GET /v1/models`. Default `['test-model']`. */
  readonly models?: readonly string[];
  /** When true, model requests for a model not in `models` get 404 `model_not_found`. Default `false`. */
  readonly rejectUnknownModels?: boolean;
  /** When false, responses carry no `usage` at all (like some local servers). Default `true`. */
  readonly reportUsage?: boolean;
}

/** One HTTP request the server received, in arrival order. */
export interface RecordedServerRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, or `undefined` when there was none or it was not JSON. */
  readonly body: unknown;
  /** Set for model requests (POSTs to `/v1/chat/completions` or `/v1/responses`, rejected ones included). */
  readonly api: OpenAICompatibleApi | undefined;
  /** `model` of a model request. */
  readonly model: string | undefined;
  /** Normalised messages of a model request. */
  readonly messages: readonly ServerChatMessage[] | undefined;
  /** Whether a model request asked for streaming. */
  readonly stream: boolean;
  /** The fault the server injected, if any. */
  readonly fault: ServerFault | undefined;
  /** The reply text the server sent (or began to send), if any. */
  readonly replyText: string | undefined;
  /** HTTP status sent, or `undefined` when none was (dropped connection, hang). */
  readonly status: number | undefined;
  /** `Date.now()` when the request body was fully received. */
  readonly receivedAt: number;
}

/** A running OpenAI-compatible test server. Close it with `close()` (or `await using`). */
export interface OpenAICompatibleServer extends AsyncDisposable {
  /** Base URL to hand to OpenAI clients, e.g. `http://127.0.0.1:41234/v1`. */
  readonly baseURL: string;
  /** The TCP port (chosen by the OS). */
  readonly port: number;
  /** Every request received since start or the last `reset()`, in arrival order. */
  readonly requests: readonly RecordedServerRequest[];
  /** Only the model requests (POSTs to chat completions and responses, rejected ones included). */
  readonly modelRequests: readonly RecordedServerRequest[];
  /** Test-setup problems the server noticed (script exhausted, reply function threw, bad route or body). */
  readonly failures: readonly string[];
  /** Replaces the reply script (a fresh list starts from its first entry). */
  setReplies(replies: readonly ServerReply[] | ServerReplyFunction): void;
  /** Appends faults to the queue (one per upcoming model request; `null` = answer normally). */
  queueFaults(...faults: (ServerFault | null)[]): void;
  /** Adds a fault rule. */
  addFaultRule(rule: ServerFaultRule): void;
  /**
   * Clears recorded requests, failures, queued faults and rules; when `options` is given, also
   * replaces the replies (and, if set, faults and fault rules).
   */
  reset(options?: Pick<OpenAICompatibleServerOptions, 'replies' | 'faults' | 'faultRules'>): void;
  /** Throws an `Error` listing the recorded failures, if any. */
  assertNoFailures(): void;
  /** Stops listening and destroys every open connection (hung ones included). Idempotent. */
  close(): Promise<void>;
}
