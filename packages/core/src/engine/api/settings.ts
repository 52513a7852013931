import type { HostToolInfo } from '../../spec/host-bridge.js';
import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { SandboxProviderV1 } from '../../spec/sandbox-provider-v1.js';
import type { PricingTable } from '../../spec/usage.js';
import type { ModelCallCache } from '../model/model-cache.js';
import type { TelemetrySettings } from '../record/telemetry.js';
import type { AnswerSchema } from '../schema/schema.js';

/** A host function callable from the REPL as a Python function with keyword arguments. */
export interface RLMTool<Args = Record<string, unknown>> extends Omit<HostToolInfo, 'name' | 'parameters'> {
  /**
   * The keyword arguments: a zod (v4) or other Standard Schema, or a JSON Schema object. Arguments are
   * validated on the host before `execute`; a mismatch raises `TypeError` in Python listing the issues.
   * Its properties' order maps positional arguments.
   */
  readonly parameters?: AnswerSchema<Args>;
  /**
   * Runs on the host with the validated arguments. Returns any JSON-compatible value.
   * A thrown error becomes a Python exception (`RuntimeError`, or the error's `pythonType`).
   */
  execute(args: Args, options: { abortSignal: AbortSignal }): unknown;
}

/** Defines a tool with its argument type inferred from `parameters` (zod or other Standard Schema). */
export function defineTool<Args>(tool: RLMTool<Args>): RLMTool<Args> {
  return tool;
}

/** Which system prompt to use. */
export type PromptStyle =
  /** Ours: FINAL/FINAL_VAR are called in code. */
  | 'default'
  /** The paper's format (models trained on it, e.g. RLM-Qwen3-8B): FINAL(answer)/FINAL_VAR(name) written as text. */
  | 'paper';

/** Settings of `createRLM`. Durations are in milliseconds; money in US dollars. */
export interface RLMSettings {
  /** The root model: writes the code. */
  readonly model: ModelProviderV1;
  /** The model answering `llm_query` (and child runs' sub-calls). Default: `model`. */
  readonly subModel?: ModelProviderV1;
  /** Further sub-models code may pick by name: `llm_query(prompt, model="name")`. */
  readonly subModels?: Readonly<Record<string, ModelProviderV1>>;
  /** Where code runs. */
  readonly sandbox: SandboxProviderV1;
  /**
   * Recursion depth. 1 (default): only the root has a REPL and `rlm_query` is a plain `llm_query`.
   * 2: `rlm_query` starts child RLMs with their own REPL, whose own `rlm_query` is plain. And so on.
   */
  readonly maxDepth?: number;
  /** Root model calls per run (each child run has its own count). Default 30. */
  readonly maxIterations?: number;
  /**
   * Tokens of the whole run tree (root, sub-calls, children). Calls reserve an upper bound of their
   * prompt (UTF-8 bytes) while in flight, so the tree overshoots by at most one call plus the closing
   * "answer now" call (see docs/budgets.md). Default: unlimited.
   */
  readonly maxTotalTokens?: number;
  /**
   * Known cost of the whole run tree, with the same bound as `maxTotalTokens` when `pricing` covers
   * the models. Default: unlimited. Calls with unknown prices count as 0.
   */
  readonly maxCostUsd?: number;
  /** Wall-clock limit of the whole run. Default: unlimited. */
  readonly timeoutMs?: number;
  /** Limit of one code execution; the REPL is interrupted after it. Default 120 000 (2 min). */
  readonly executionTimeoutMs?: number;
  /** Sub-calls in flight at once across the run tree. Default 16. */
  readonly maxSubcallConcurrency?: number;
  /** Characters of stdout/stderr per code block fed back to the model (head + tail). Default 20 000. */
  readonly maxOutputChars?: number;
  /**
   * Sub-calls one run tree may make: every `llm_query`, every prompt of an `llm_query_batched` /
   * `rlm_query_batched`, every `rlm_query` (a child run's own sub-calls count too) and every tool
   * call. Past it, a sub-call is not made and raises `RuntimeError` in the REPL naming this setting;
   * the run then ends at its next root call with status `budget_exhausted` (after the closing
   * "answer now" call), and `result.limitsReached` counts the refusals. Default 2 000.
   */
  readonly maxSubcalls?: number;
  /**
   * Characters of one sub-call prompt (`llm_query`, each prompt of a batch, an `rlm_query` prompt;
   * at `maxDepth` an `rlm_query` prompt with its context). A longer prompt is never sent: it raises
   * `ValueError` in the REPL naming this setting and telling the model to split it, and is counted in
   * `result.limitsReached`. When the sub-model's `contextWindowTokens` is known, a prompt estimated
   * past 90 % of that window is refused too (the call returns an explanation). The sandbox's frame
   * limit is derived from this setting, so a far larger prompt does not even reach the host.
   * Default 2 000 000.
   */
  readonly maxSubcallPromptChars?: number;
  /**
   * Characters of one text stored in the trajectory (a prompt, a reply, a code block, an output,
   * an answer, a child run's question and context): a longer one is stored as head + tail with a
   * note of how many characters were cut, and counted in `result.limitsReached`. Model calls and the
   * REPL still get the whole text; `result.answer` is whole. Minimum 100. Default 200 000.
   */
  readonly maxTrajectoryTextChars?: number;
  /**
   * Share of the root model's context window (`model.contextWindowTokens`, or one learnt from a
   * context-length error) at which the root conversation is compacted: the model writes a progress
   * summary that replaces it, and the messages that left it are kept in the REPL variable `history`
   * (`turn_history` in a multi-turn session, where `history` holds the earlier turns). Default 0.85.
   */
  readonly compactAtFraction?: number;
  /**
   * Root iterations in a row that fail (every cell raised or was interrupted, the REPL restarted, or
   * the reply had no code and no final answer) before the run stops with a closing "answer now"
   * call and status `budget_exhausted` (listed in `limitsReached`). Default 10.
   */
  readonly maxConsecutiveErrors?: number;
  /**
   * Retries of a model call that failed with a retryable error (429, 5xx, dropped connection,
   * attempt timeout), so a call makes at most `maxRetries + 1` requests. The engine is the one place
   * that retries: providers classify errors (`ModelProviderError.retryable`, `retryAfterMs`) and do
   * not retry on their own. Default 2.
   */
  readonly maxRetries?: number;
  /** First backoff wait between retries in milliseconds; doubles per retry, with jitter. Default 500. */
  readonly retryBaseDelayMs?: number;
  /**
   * Longest wait between retries in milliseconds. Also caps the wait a backend asks for
   * (`retryAfterMs`, from `retry-after`); a wait never outlasts `timeoutMs`. Default 60 000.
   */
  readonly retryMaxDelayMs?: number;
  /** Replaces the system prompt. `{{context_metadata}}`-free: metadata is sent as the first user message. */
  readonly systemPrompt?: string;
  /** Prompt style. Default `'default'`. */
  readonly promptStyle?: PromptStyle;
  /** Host tools available in the REPL, by Python name. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly tools?: Readonly<Record<string, RLMTool<any>>>;
  /** Times an answer that fails the query's `schema` is sent back to the model to fix. Default 2. */
  readonly maxSchemaRetries?: number;
  /** Prices for computing costs when a provider does not report them, by model id (prefix match). */
  readonly pricing?: PricingTable;
  /** Times a dead sandbox session is replaced (state lost, context reloaded) before the run fails. Default 2. */
  readonly maxSandboxRestarts?: number;
  /** Store the context value in the trajectory (once). Default `true`. */
  readonly trajectoryIncludesContext?: boolean;
  /**
   * Serves repeated model calls (same model, messages and parameters) from this cache instead of the
   * provider: `createMemoryCache()` or `createFileCache(dir)`. Hits cost no tokens and are counted in
   * `result.cacheHits`. Default: no cache.
   */
  readonly cache?: ModelCallCache;
  /**
   * OpenTelemetry spans (run, iteration, model call, code execution, sub-call; GenAI semantic
   * conventions) through `@opentelemetry/api`. On by default, and free when no tracer provider is
   * registered; `false` turns it off; `{ tracer }` uses a specific tracer.
   */
  readonly telemetry?: TelemetrySettings;
  /**
   * Output token cap for root calls, passed to the provider. A token budget then reserves exactly
   * this for a root call's reply. Default: provider's default.
   */
  readonly maxOutputTokens?: number;
  /**
   * Output token cap for each sub-call (`llm_query`, each prompt of a batch, `rlm_query` at
   * `maxDepth`), passed to the provider. A token budget then reserves exactly this for a sub-call's
   * reply, instead of the largest reply seen so far from that model, so `maxTotalTokens` holds even
   * against prompts that ask for ever longer replies. Default: provider's default.
   */
  readonly maxSubcallOutputTokens?: number;
  /** Temperature for root calls. Default: provider's default. */
  readonly temperature?: number;
}
