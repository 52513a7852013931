import type { AnswerSchema, RLMEvent, RLMQueryOptions, RLMResult, RLMSettings } from '@rlms/core';
import type { QueryMode } from './choose-mode.js';
import type { ModuleImporter } from './import-optional.js';
import type { ModelSpec } from './model-spec.js';
import type { SandboxSpec } from './sandbox-spec.js';

/**
 * Settings of {@link RecursiveLanguageModel}. Durations are in milliseconds, money in US dollars.
 * Every engine setting of `createRLM` (`maxDepth`, `maxIterations`, `maxTotalTokens`, `maxCostUsd`,
 * `timeoutMs`, `executionTimeoutMs`, `maxSubcallConcurrency`, `maxOutputChars`, `maxRetries`,
 * `systemPrompt`, `promptStyle`, `tools`, `pricing`, `maxSandboxRestarts`, `trajectoryIncludesContext`,
 * `maxOutputTokens`, `temperature`) is accepted with the same meaning and default.
 */
export interface RecursiveLanguageModelSettings extends Omit<RLMSettings, 'model' | 'subModel' | 'subModels' | 'sandbox'> {
  /** The root model (writes the code): `'gpt-4o'`, `'anthropic:claude-sonnet-4-5'`, `{ baseURL, model }`, or a `ModelProviderV1`. See {@link ModelSpec}. */
  readonly model: ModelSpec;
  /** A cheaper model for `llm_query` sub-calls. Default: `model`. */
  readonly subModel?: ModelSpec;
  /** Further sub-models code may pick by name: `llm_query(prompt, model="fast")`. */
  readonly subModels?: Readonly<Record<string, ModelSpec>>;
  /**
   * Where code runs: `'pyodide'` (default, embedded WebAssembly), `'local'` (host python3, not isolated),
   * `'docker'`, `'e2b'`, `'modal'`, `'daytona'` (optional packages `@rlms/sandbox-<name>`), or a `SandboxProviderV1`.
   */
  readonly sandbox?: SandboxSpec;
  /** Settings handed to the sandbox factory (`createDockerSandbox(sandboxSettings)`…) when `sandbox` is a name. */
  readonly sandboxSettings?: Readonly<Record<string, unknown>>;
  /**
   * API key of the root model's provider, also used by sub-models of the same provider. Default: the
   * provider's variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`…); for a `baseURL` server, no key.
   */
  readonly apiKey?: string;
  /** Base URL of an OpenAI-compatible server (ending in `/v1`) serving `model` and `subModel` names. */
  readonly baseURL?: string;
  /** Root model's context window in tokens, overriding what the provider knows. Used by `mode: 'auto'` and estimates. */
  readonly contextWindowTokens?: number;
  /**
   * `'auto'` (default): one direct model call when the whole context fits comfortably in the root
   * model's window (at most `directMaxFraction` of it), an RLM run otherwise. `'rlm'`: always an RLM run.
   * `'direct'`: always one plain call (fails with status `error` when the context does not fit).
   */
  readonly mode?: QueryMode;
  /** Share of the root window a direct prompt may fill in `'auto'` mode. Default 0.5. */
  readonly directMaxFraction?: number;
  /** Prints a readable live trace of every run to stderr (iterations, code, sub-calls, tokens, cost, time). Default `false`. */
  readonly verbose?: boolean;
  /** How optional packages are imported. Default: the platform's `import()`. For bundlers that need static imports, and tests. */
  readonly importModule?: ModuleImporter;
}

/**
 * Options of `query` and `stream`: those of `createRLM`'s query (`context`, `question`,
 * `abortSignal`, `saveTrajectory`, `onEvent`, `schema`) plus `mode`.
 */
export interface QueryOptions<S extends AnswerSchema | undefined = undefined> extends Omit<RLMQueryOptions<S>, 'mode'> {
  /**
   * Overrides the settings' `mode` for this query: `'auto'` decides here, `'rlm'` and `'direct'` run
   * as the engine's modes. A `schema` needs the REPL: `'auto'` then runs the RLM, `'direct'` is refused.
   */
  readonly mode?: QueryMode;
}

/** The outcome of a query: an RLM result plus which mode ran and why. */
export interface QueryResult<TAnswer = string> extends RLMResult<TAnswer> {
  /** What answered: an RLM run, or one direct call. */
  readonly mode: 'rlm' | 'direct';
  /** Why this mode ran (`'mode "rlm" was requested'`, or the `'auto'` rule's reason). */
  readonly modeReason: string;
}

/** A streamed query: iterate the events; `result` resolves when the run ends. */
export interface QueryStream<TAnswer = string> extends AsyncIterable<RLMEvent> {
  readonly result: Promise<QueryResult<TAnswer>>;
}
