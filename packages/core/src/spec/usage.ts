/**
 * Token usage of model calls. Every field is optional: backends report different subsets, and a
 * field that was not reported is `undefined`, never an invented number.
 */
export interface TokenUsage {
  /** Prompt tokens, including cached ones. */
  readonly inputTokens?: number;
  /** Prompt tokens served from the provider's prompt cache (a subset of `inputTokens`). */
  readonly cachedInputTokens?: number;
  /** Generated tokens, including reasoning tokens. */
  readonly outputTokens?: number;
  /** Hidden reasoning tokens (a subset of `outputTokens`). */
  readonly reasoningTokens?: number;
  /** Total tokens; when absent, consumers use `inputTokens + outputTokens`. */
  readonly totalTokens?: number;
}

/** Price of a model in US dollars per one million tokens. */
export interface ModelPricing {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  /** Price of cached input tokens; defaults to `inputPerMillion`. */
  readonly cachedInputPerMillion?: number;
}

/** Prices by model id. */
export type PricingTable = Readonly<Record<string, ModelPricing>>;
