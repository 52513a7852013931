import { ConfigurationError, buildDirectMessages, computeCostUsd, renderContext, type ContextInput, type ModelPricing, type PricingTable } from '@rlms/core';
import { chooseMode, outputReserve } from './choose-mode.js';
import { countTokens, tokenizerFor, type TokenizerInfo } from './count-tokens.js';
import type { ModuleImporter } from './import-optional.js';
import { lookupModelFacts } from './model-catalog.js';

/** Options of {@link estimateCost}. */
export interface EstimateCostOptions {
  /** The context to estimate (string, array, record of documents). */
  readonly context: ContextInput;
  /** Root model name (`'gpt-4o'`, `'openai:gpt-5'`, `'anthropic:claude-sonnet-4-5'`…). Default `'gpt-4o'`. */
  readonly model?: string;
  /** Sub-model name for `llm_query`. Default: `model`. */
  readonly subModel?: string;
  /** The question, counted in the direct prompt. Default: none. */
  readonly question?: string;
  /** Root model window in tokens; overrides the known one (needed for models the tables do not know). */
  readonly contextWindowTokens?: number;
  /** Sub-model window in tokens; sizes the assumed sub-call chunks. Default: known, else the root's. */
  readonly subModelContextWindowTokens?: number;
  /** Prices by model id (prefix match), overriding the built-in OpenAI prices. */
  readonly pricing?: PricingTable;
  /** Share of the window a prompt may fill for a direct call to be recommended. Default 0.5. */
  readonly directMaxFraction?: number;
  /** @internal module loader (tests). */
  readonly importer?: ModuleImporter;
}

/** A low–high range. */
export interface Range {
  readonly low: number;
  readonly high: number;
}

/** The outcome of {@link estimateCost}. Costs are in US dollars, `undefined` when a price is unknown. */
export interface CostEstimate {
  readonly model: string;
  readonly subModel: string;
  /** Tokenizer used and whether the count is exact for the model. */
  readonly tokenizer: TokenizerInfo;
  /** Tokens of the context as the model reads it in a direct call (documents rendered with their names). */
  readonly contextTokens: number;
  readonly contextChars: number;
  /** Root model window, when known (or given). */
  readonly contextWindowTokens: number | undefined;
  /** Whether a direct prompt fits the window with room for the answer (`undefined` when the window is unknown). */
  readonly fits: boolean | undefined;
  readonly pricing: { readonly model: ModelPricing | undefined; readonly subModel: ModelPricing | undefined };
  /** One plain model call over the whole context. `costUsd` is given even when it does not fit, for comparison. */
  readonly direct: { readonly inputTokens: number; readonly outputTokens: Range; readonly costUsd: Range | undefined };
  /** An RLM run under the assumptions listed in `assumptions`. */
  readonly rlm: {
    readonly rootCalls: Range;
    readonly subcalls: Range;
    readonly inputTokens: Range;
    readonly outputTokens: Range;
    readonly costUsd: Range | undefined;
  };
  readonly recommendation: { readonly mode: 'direct' | 'rlm'; readonly reason: string };
  /** The model behind the RLM range, in words. */
  readonly assumptions: readonly string[];
}

/** Assumptions of the RLM range; see the README's "Cost estimates". */
export const RLM_ESTIMATE_ASSUMPTIONS = {
  /** Root model turns. */
  rootCalls: { low: 3, high: 10 },
  /** System prompt + context metadata + question, in tokens, sent on every root turn. */
  rootBaseTokens: 2_000,
  /** Growth of the root conversation per turn (code written + truncated output shown). */
  rootHistoryTokensPerTurn: 1_200,
  rootOutputTokensPerTurn: 400,
  /** Share of the context the sub-calls read. */
  readFraction: { low: 0.1, high: 0.3 },
  /** Sub-call prompts hold at most this share of the sub-model's window… */
  subcallWindowShare: 0.5,
  /** …and at most this many tokens. */
  maxSubcallTokens: 100_000,
  subcallOverheadTokens: 300,
  subcallOutputTokens: { low: 200, high: 800 },
  directOutputTokens: { low: 300, high: 1_500 },
} as const;

function cost(pricing: ModelPricing | undefined, input: number, output: number): number | undefined {
  return pricing === undefined ? undefined : computeCostUsd({ inputTokens: input, outputTokens: output }, pricing);
}

/**
 * Estimates what answering a question over `context` costs: the context's tokens (real tokenizer
 * for OpenAI models, an approximation otherwise: see `tokenizerFor`), whether it fits the root
 * model's window, the cost range of one direct call and of an RLM run, and a recommendation
 * (the same rule as `mode: 'auto'`).
 *
 * The RLM range assumes (see {@link RLM_ESTIMATE_ASSUMPTIONS}): 3–10 root turns whose prompt grows
 * from ~2,000 tokens by ~1,200 per turn; sub-calls that read 10–30 % of the context in chunks of at
 * most half the sub-model's window (≤ 100k tokens), ~300 tokens of instructions and 200–800 tokens
 * of answer each. Prompt caching is ignored, so real runs with cached root history cost less.
 *
 * Throws `ConfigurationError` when `directMaxFraction` is not in (0, 1].
 */
export async function estimateCost(options: EstimateCostOptions): Promise<CostEstimate> {
  const model = options.model ?? 'gpt-4o';
  const subModel = options.subModel ?? model;
  const fraction = options.directMaxFraction;
  if (fraction !== undefined && !(fraction > 0 && fraction <= 1)) {
    throw new ConfigurationError(`\`directMaxFraction\` must be in (0, 1]; got ${fraction}.`, { code: 'invalid-setting' });
  }
  const lookup = { ...(options.pricing === undefined ? {} : { pricing: options.pricing }), ...(options.importer === undefined ? {} : { importer: options.importer }) };
  const [rootFacts, subFacts] = await Promise.all([lookupModelFacts(model, lookup), lookupModelFacts(subModel, lookup)]);
  const window = options.contextWindowTokens ?? rootFacts.contextWindowTokens;
  const subWindow = options.subModelContextWindowTokens ?? subFacts.contextWindowTokens ?? window ?? 128_000;

  const rendered = renderContext(options.context);
  const contextTokens = countTokens(rendered, model);
  const messages = buildDirectMessages('', options.question ?? '');
  const overhead = messages.reduce((sum, message) => sum + countTokens(message.content, model), 0) + 10;
  const directInput = contextTokens + overhead;

  const a = RLM_ESTIMATE_ASSUMPTIONS;
  const directCost = (output: number) => cost(rootFacts.pricing, directInput, output);
  const directLow = directCost(a.directOutputTokens.low);
  const directHigh = directCost(a.directOutputTokens.high);

  const chunk = Math.max(1_000, Math.min(a.maxSubcallTokens, Math.floor(subWindow * a.subcallWindowShare)));
  const side = (turns: number, readFraction: number, subOutput: number) => {
    const rootInput = turns * a.rootBaseTokens + (a.rootHistoryTokensPerTurn * turns * (turns - 1)) / 2;
    const rootOutput = turns * a.rootOutputTokensPerTurn;
    const read = Math.ceil(contextTokens * readFraction);
    const subcalls = read === 0 ? 0 : Math.ceil(read / chunk);
    const subInput = read + subcalls * a.subcallOverheadTokens;
    const subOut = subcalls * subOutput;
    const rootCost = cost(rootFacts.pricing, rootInput, rootOutput);
    const subCost = cost(subFacts.pricing, subInput, subOut);
    return {
      subcalls,
      input: rootInput + subInput,
      output: rootOutput + subOut,
      costUsd: rootCost === undefined || subCost === undefined ? undefined : rootCost + subCost,
    };
  };
  const low = side(a.rootCalls.low, a.readFraction.low, a.subcallOutputTokens.low);
  const high = side(a.rootCalls.high, a.readFraction.high, a.subcallOutputTokens.high);
  const choice = chooseMode({ promptTokens: directInput, windowTokens: window, modelName: model, ...(fraction === undefined ? {} : { directMaxFraction: fraction }) });

  return {
    model,
    subModel,
    tokenizer: tokenizerFor(model),
    contextTokens,
    contextChars: rendered.length,
    contextWindowTokens: window,
    fits: window === undefined ? undefined : directInput + outputReserve(window) <= window,
    pricing: { model: rootFacts.pricing, subModel: subFacts.pricing },
    direct: {
      inputTokens: directInput,
      outputTokens: a.directOutputTokens,
      costUsd: directLow === undefined || directHigh === undefined ? undefined : { low: directLow, high: directHigh },
    },
    rlm: {
      rootCalls: a.rootCalls,
      subcalls: { low: low.subcalls, high: high.subcalls },
      inputTokens: { low: low.input, high: high.input },
      outputTokens: { low: low.output, high: high.output },
      costUsd: low.costUsd === undefined || high.costUsd === undefined ? undefined : { low: low.costUsd, high: high.costUsd },
    },
    recommendation: { mode: choice.mode, reason: choice.reason },
    assumptions: [
      `${a.rootCalls.low}–${a.rootCalls.high} root turns; each resends the system prompt, context metadata and question (~${a.rootBaseTokens.toLocaleString('en-US')} tokens) plus the conversation so far (+~${a.rootHistoryTokensPerTurn.toLocaleString('en-US')} tokens per turn), and writes ~${a.rootOutputTokensPerTurn} tokens`,
      `sub-calls read ${a.readFraction.low * 100}–${a.readFraction.high * 100} % of the context in chunks of up to ${chunk.toLocaleString('en-US')} tokens, with ~${a.subcallOverheadTokens} tokens of instructions and ${a.subcallOutputTokens.low}–${a.subcallOutputTokens.high} tokens of answer each`,
      `a direct call answers in ${a.directOutputTokens.low.toLocaleString('en-US')}–${a.directOutputTokens.high.toLocaleString('en-US')} tokens`,
      'list prices without prompt caching or batch discounts',
    ],
  };
}
