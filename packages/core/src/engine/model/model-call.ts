import { RLMAbortError } from '../../errors/errors.js';
import type { ChatMessage, ModelProviderV1, ModelResponse } from '../../spec/model-provider-v1.js';
import { estimateTokens, promptTokenEstimate, promptTokenUpperBound } from '../accounting/token-bounds.js';
import type { Reservation, StopReason } from '../accounting/budget.js';
import { modelKey, type RunTree } from '../run/run-tree.js';
import { withModelRetries } from './model-retry.js';
import { computeCostUsd, findPricing, hasUsage, usageTokens, type UsageTracker } from '../accounting/usage.js';
import { modelCallKey } from './model-cache.js';

/** Thrown instead of calling a model when the tree's budget is spent. */
export class BudgetStop extends Error {
  constructor(readonly reason: StopReason, detail: string) {
    super(detail);
    this.name = 'BudgetStop';
  }
}

export interface ModelCallRequest {
  readonly model: ModelProviderV1;
  readonly messages: readonly ChatMessage[];
  /** Depth the call is counted at. */
  readonly depth: number;
  readonly signal: AbortSignal;
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  /** Skip the budget check (the one closing "answer now" call). */
  readonly ignoreBudget?: boolean;
  /** Where the call's usage is recorded: the calling run's tracker (which feeds the tree's). Default: the tree's. */
  readonly usage?: UsageTracker;
  /**
   * The run the call is made for, named on its `model-retry` events: its id and depth, and the
   * sub-call's id when the call is one.
   */
  readonly origin: { readonly runId: string; readonly depth: number; readonly subcallId?: string };
}

export interface ModelCallOutcome {
  readonly response: ModelResponse;
  readonly costUsd: number | undefined;
  readonly durationMs: number;
  /** Served from the cache: no tokens spent, nothing recorded in usage. */
  readonly cached?: boolean;
}

/**
 * Calls a model for a run tree: reserves an upper bound of the prompt's tokens in the budget (released,
 * and the real usage charged, when the call ends), retries retryable failures (the engine's one retry
 * loop: `maxRetries`, exponential backoff with jitter, `retryAfterMs` honoured up to `retryMaxDelayMs`
 * and the time left), records usage and cost in the tree. Throws `BudgetStop` when the budget is
 * spent, `RLMAbortError` when aborted, or the provider's error.
 */
export async function callModel(tree: RunTree, request: ModelCallRequest): Promise<ModelCallOutcome> {
  const cache = tree.settings.cache;
  const key = cache === undefined ? undefined : modelCallKey(request.model, request.messages, request);
  if (cache !== undefined && key !== undefined) {
    if (request.signal.aborted) throw new RLMAbortError();
    const hit = await cache.get(key);
    if (hit !== undefined) {
      tree.cacheHits++;
      return { response: hit, costUsd: undefined, durationMs: 0, cached: true };
    }
  }
  const outcome = await callProvider(tree, request);
  if (cache !== undefined && key !== undefined && outcome.response.finishReason !== 'error') {
    await cache.set(key, { text: outcome.response.text, usage: outcome.response.usage, finishReason: outcome.response.finishReason });
  }
  return outcome;
}

async function callProvider(tree: RunTree, request: ModelCallRequest): Promise<ModelCallOutcome> {
  const estimate = promptTokenEstimate(request.messages);
  const key = modelKey(request.model);
  const pricing = findPricing(tree.settings.pricing, request.model.modelId);
  let reservation: Reservation | undefined;
  if (!request.ignoreBudget) {
    const reserved = await tree.budget.reserve({
      model: key,
      promptTokens: promptTokenUpperBound(request.messages),
      promptEstimate: estimate,
      signal: request.signal,
      ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
      ...(pricing === undefined ? {} : { pricing }),
    });
    if (typeof reserved === 'string') throw new BudgetStop(reserved, tree.budget.detail);
    reservation = reserved;
  }
  const started = Date.now();
  const { settings } = tree;
  try {
    const response = await withModelRetries(
      () =>
        request.model.generate({
          messages: request.messages,
          abortSignal: request.signal,
          ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        }),
      {
        policy: { maxRetries: settings.maxRetries, baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: settings.retryMaxDelayMs },
        signal: request.signal,
        maxWaitMs: () => tree.budget.remainingMs(),
        onRetry: (retry, delayMs, error) =>
          tree.emit({
            type: 'model-retry',
            runId: request.origin.runId,
            depth: request.origin.depth,
            timestamp: Date.now(),
            model: key,
            ...(request.origin.subcallId === undefined ? {} : { subcallId: request.origin.subcallId }),
            retry,
            maxRetries: settings.maxRetries,
            delayMs: Math.round(delayMs),
            ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
            error: error.message,
          }),
      },
    );
    const costUsd = response.costUsd ?? computeCostUsd(response.usage, pricing);
    (request.usage ?? tree.usage).record(key, request.depth, response.usage, costUsd);
    const reported = hasUsage(response.usage);
    const outputTokens = response.usage.outputTokens ?? estimateTokens(response.text);
    tree.budget.charge({
      model: key,
      tokens: reported ? usageTokens(response.usage) : estimate + outputTokens,
      outputTokens,
      costUsd,
      estimated: !reported,
    });
    return { response, costUsd, durationMs: Date.now() - started };
  } finally {
    reservation?.release();
  }
}
