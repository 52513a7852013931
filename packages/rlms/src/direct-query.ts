import { randomUUID } from 'node:crypto';
import {
  ModelProviderError,
  TRAJECTORY_VERSION,
  UsageTracker,
  computeCostUsd,
  findPricing,
  isAbortError,
  modelCallKey,
  prepareContext,
  sleep,
  type ContextInput,
  type ModelCallCache,
  type ModelProviderV1,
  type ModelResponse,
  type PricingTable,
  type RLMEvent,
  type RLMResult,
  type RunStatus,
  type Trajectory,
} from '@rlms/core';
import { buildDirectMessages } from './direct-prompt.js';
import { renderContext } from './render-context.js';

/** Options of {@link runDirect}. */
export interface DirectRunOptions {
  readonly model: ModelProviderV1;
  readonly context: ContextInput;
  /** The context already rendered with `renderContext` (saves rendering twice). */
  readonly renderedContext?: string;
  readonly question: string;
  /** Prompt tokens, when counted; checked against `maxTotalTokens` / `maxCostUsd` before calling. */
  readonly promptTokens?: number;
  readonly abortSignal?: AbortSignal;
  readonly onEvent?: (event: RLMEvent) => void;
  readonly pricing?: PricingTable;
  /** Retries of a retryable provider error. Default 2. */
  readonly maxRetries?: number;
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly timeoutMs?: number;
  readonly maxTotalTokens?: number;
  readonly maxCostUsd?: number;
  /** Store the context value in the trajectory. Default `true`. */
  readonly trajectoryIncludesContext?: boolean;
  /** Serves a repeated call from this cache (no tokens spent, nothing recorded in usage), like the engine's `cache`. */
  readonly cache?: ModelCallCache;
}

/**
 * Answers with one plain model call over the whole context (no sandbox, no code). Resolves with
 * the same result shape as an RLM run: usage, cost, and a trajectory with one step. Never throws
 * for model failures (`status: 'error'`); throws `ContextError` for an unusable context.
 */
export async function runDirect(options: DirectRunOptions): Promise<RLMResult> {
  const started = Date.now();
  const prepared = prepareContext(options.context);
  const rendered = options.renderedContext ?? renderContext(options.context);
  const messages = buildDirectMessages(rendered, options.question);
  const model = options.model;
  const key = `${model.provider}:${model.modelId}`;
  const runId = `direct_${randomUUID().slice(0, 8)}`;
  const emit = (event: RLMEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the run.
    }
  };
  const base = () => ({ runId, depth: 0, timestamp: Date.now() });
  const trajectory: Trajectory = {
    version: TRAJECTORY_VERSION,
    runId,
    depth: 0,
    startedAt: started,
    question: options.question,
    model: key,
    subModel: key,
    sandbox: 'none',
    systemPrompt: messages[0]!.content,
    context: options.trajectoryIncludesContext === false || prepared.value === undefined ? { metadata: prepared.metadata } : { metadata: prepared.metadata, value: prepared.value },
    steps: [],
  };
  const usage = new UsageTracker();
  emit({ type: 'run-start', ...base(), question: options.question, context: prepared.metadata });

  const pricing = findPricing(options.pricing, model.modelId);
  let status: RunStatus = 'completed';
  let detail: string | undefined;
  let failure: Error | undefined;
  let answer = '';
  let cacheHits = 0;
  const budgetProblem = (): string | undefined => {
    const tokens = options.promptTokens;
    if (tokens === undefined) return undefined;
    if (options.maxTotalTokens !== undefined && tokens > options.maxTotalTokens) {
      return `maxTotalTokens (${options.maxTotalTokens}) is below the ${tokens} tokens of the direct prompt`;
    }
    const inputCost = pricing === undefined ? undefined : computeCostUsd({ inputTokens: tokens, outputTokens: 0 }, pricing);
    if (options.maxCostUsd !== undefined && inputCost !== undefined && inputCost > options.maxCostUsd) {
      return `maxCostUsd ($${options.maxCostUsd}) is below the $${inputCost.toFixed(4)} of the direct prompt`;
    }
    return undefined;
  };

  const problem = budgetProblem();
  if (problem !== undefined) {
    status = 'budget_exhausted';
    detail = problem;
    emit({ type: 'budget-exhausted', ...base(), reason: 'budget_exhausted', detail: problem });
  } else {
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signals = [options.abortSignal, timeout].filter((signal): signal is AbortSignal => signal !== undefined);
    const signal = signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals);
    emit({ type: 'iteration-start', ...base(), iteration: 1 });
    const callStarted = Date.now();
    try {
      const parameters = {
        ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      };
      const cacheKey = options.cache === undefined ? undefined : modelCallKey(model, messages, parameters);
      const hit = cacheKey === undefined ? undefined : await options.cache!.get(cacheKey);
      const response = hit ?? (await generateWithRetries(model, messages, signal, options));
      let costUsd: number | undefined;
      if (hit === undefined) {
        costUsd = response.costUsd ?? (pricing === undefined ? undefined : computeCostUsd(response.usage, pricing));
        usage.record(key, 0, response.usage, costUsd);
        if (cacheKey !== undefined && response.finishReason !== 'error') {
          await options.cache!.set(cacheKey, { text: response.text, usage: response.usage, finishReason: response.finishReason });
        }
      } else cacheHits = 1;
      answer = response.text.trim();
      const durationMs = Date.now() - callStarted;
      emit({ type: 'model-response', ...base(), iteration: 1, model: key, cached: hit !== undefined, text: response.text, usage: response.usage, costUsd, durationMs, totalUsage: usage.snapshot() });
      trajectory.steps.push({
        iteration: 1,
        kind: 'iteration',
        startedAt: callStarted,
        durationMs,
        action: { response: response.text, code: [], usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
        observation: { executions: [], feedback: '' },
        subcalls: [],
      });
      if (response.finishReason === 'length') detail = 'the answer was cut at the output token limit';
    } catch (error) {
      if (options.abortSignal?.aborted) {
        status = 'aborted';
        detail = 'The run was aborted.';
      } else if (timeout?.aborted) {
        status = 'timeout';
        detail = `the time limit (${options.timeoutMs} ms) was reached`;
      } else {
        status = 'error';
        failure = error instanceof Error ? error : new Error(String(error));
        detail = failure.message;
      }
    }
  }

  const snapshot = usage.snapshot();
  const result: RLMResult = {
    answer,
    status,
    ...(detail === undefined ? {} : { statusDetail: detail }),
    ...(failure === undefined ? {} : { error: failure }),
    usage: snapshot,
    costUsd: snapshot.total.costUsd,
    iterations: trajectory.steps.length,
    subcalls: 0,
    durationMs: Date.now() - started,
    cacheHits,
    trajectory,
  };
  trajectory.result = {
    answer,
    status,
    ...(detail === undefined ? {} : { statusDetail: detail }),
    ...(failure === undefined ? {} : { error: `${failure.name}: ${failure.message}` }),
    iterations: result.iterations,
    subcalls: 0,
    durationMs: result.durationMs,
    usage: snapshot,
    costUsd: result.costUsd,
  };
  emit({ type: 'run-end', ...base(), result });
  return result;
}

async function generateWithRetries(
  model: ModelProviderV1,
  messages: ReturnType<typeof buildDirectMessages>,
  signal: AbortSignal,
  options: DirectRunOptions,
): Promise<ModelResponse> {
  const maxRetries = options.maxRetries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await model.generate({
        messages,
        abortSignal: signal,
        ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      });
    } catch (error) {
      if (signal.aborted || isAbortError(error)) throw error;
      if (!ModelProviderError.isInstance(error) || !error.retryable || attempt >= maxRetries) throw error;
      await sleep(error.retryAfterMs ?? Math.min(30_000, 500 * 2 ** attempt), signal);
    }
  }
}
