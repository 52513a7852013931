/**
 * How code inside a sandbox reaches the host: every `llm_query`, `llm_query_batched`, `rlm_query`,
 * `rlm_query_batched` and user tool call made by Python becomes one `HostCall`. The engine
 * implements the bridge and hands it to each session; sandboxes only move the calls and their
 * results over their transport. Calls may be in flight concurrently (Python threads).
 */

/** `llm_query(prompt, model=None)`: one plain sub-model call. */
export interface LlmQueryCall {
  readonly op: 'llm_query';
  readonly prompt: string;
  /** Optional model name chosen by the code; the engine decides whether it is allowed. */
  readonly model?: string;
}

/** `llm_query_batched(prompts, model=None)`: many sub-model calls run in parallel on the host. */
export interface LlmQueryBatchedCall {
  readonly op: 'llm_query_batched';
  readonly prompts: readonly string[];
  readonly model?: string;
}

/** `rlm_query(prompt, context=None)`: a child RLM with its own REPL (a plain `llm_query` at max depth). */
export interface RlmQueryCall {
  readonly op: 'rlm_query';
  readonly prompt: string;
  /** JSON-compatible context for the child; `undefined` means "use the prompt as the context". */
  readonly context?: unknown;
  /** A configured sub-model name the child uses as its root model (`rlm_query(p, model="…")`). */
  readonly model?: string;
}

/** `rlm_query_batched(prompts, contexts=None)`. */
export interface RlmQueryBatchedCall {
  readonly op: 'rlm_query_batched';
  readonly prompts: readonly string[];
  readonly contexts?: readonly unknown[];
  /** A configured sub-model name the children use as their root model. */
  readonly model?: string;
}

/** A user-registered host tool called from Python with keyword arguments. */
export interface ToolCall {
  readonly op: 'tool';
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export type HostCall = LlmQueryCall | LlmQueryBatchedCall | RlmQueryCall | RlmQueryBatchedCall | ToolCall;

/**
 * Result values by operation:
 * - `llm_query`, `rlm_query` → `string`
 * - `llm_query_batched`, `rlm_query_batched` → `string[]` (same order as the prompts)
 * - `tool` → any JSON-compatible value
 *
 * A rejected promise becomes a Python exception raised at the call site (`RuntimeError` unless
 * the error carries a `pythonType` of `'ValueError'`, `'TypeError'`, `'TimeoutError'`…), so model code
 * can catch it. Errors the model should simply read (a sub-prompt too large for the sub-model's
 * window) are returned as strings, not thrown.
 */
export interface HostBridge {
  call(request: HostCall, options?: HostCallOptions): Promise<unknown>;
}

/** Options of {@link HostBridge.call}. */
export interface HostCallOptions {
  /** Aborts the call (the cell was interrupted, the session ended). */
  readonly abortSignal?: AbortSignal;
  /**
   * Called each time part of the call finishes (one prompt of a batch), so a sandbox's cell clock
   * can tell a long batch that keeps making progress from a stalled one.
   */
  readonly onProgress?: () => void;
}

/** Description of a user tool, sent to the sandbox so the runtime can define a Python function for it. */
export interface HostToolInfo {
  /** A valid Python identifier. */
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the keyword arguments (an object schema), when known. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}
