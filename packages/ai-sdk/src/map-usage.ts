import type { LanguageModelV2Usage, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { TokenUsage, UsageSummary } from '@rlms/core';

/** Usage of the nested shape (`LanguageModelV3Usage` has the same shape as V4). */
type NestedUsage = Pick<LanguageModelV4Usage, 'inputTokens' | 'outputTokens'>;

function sum(...values: (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

function defined(usage: Record<string, number | undefined>): TokenUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined)) as TokenUsage;
}

/**
 * Maps the usage of an AI SDK model call (V4/V3 nested shape, or V2 flat shape) to rlms's
 * `TokenUsage`. Exact: input = `inputTokens.total` (cached included), cached = `cacheRead`,
 * output = `outputTokens.total` (reasoning included), reasoning = `outputTokens.reasoning`.
 * A total the model left out is the sum of its reported parts; fields nobody reported stay
 * `undefined` (never 0).
 */
export function fromLanguageModelUsage(usage: NestedUsage | LanguageModelV2Usage | undefined): TokenUsage {
  if (usage === undefined || usage === null) return {};
  if (typeof usage.inputTokens === 'object' || typeof usage.outputTokens === 'object') {
    const nested = usage as NestedUsage;
    const input = nested.inputTokens ?? {};
    const output = nested.outputTokens ?? {};
    return defined({
      inputTokens: count(input.total) ?? sum(count(input.noCache), count(input.cacheRead), count(input.cacheWrite)),
      cachedInputTokens: count(input.cacheRead),
      outputTokens: count(output.total) ?? sum(count(output.text), count(output.reasoning)),
      reasoningTokens: count(output.reasoning),
    });
  }
  const flat = usage as LanguageModelV2Usage;
  return defined({
    inputTokens: count(flat.inputTokens),
    cachedInputTokens: count(flat.cachedInputTokens),
    outputTokens: count(flat.outputTokens),
    reasoningTokens: count(flat.reasoningTokens),
    totalTokens: count(flat.totalTokens),
  });
}

/**
 * Maps the usage of a whole RLM run tree to the AI SDK's usage shape. When no call of the run
 * reported usage, every count is `undefined`; otherwise the sums of the calls that reported it.
 */
export function toLanguageModelUsage(total: UsageSummary): LanguageModelV4Usage {
  const reported = total.calls - total.callsWithoutUsage > 0;
  const known = (value: number) => (reported ? value : undefined);
  return {
    inputTokens: {
      total: known(total.inputTokens),
      noCache: known(Math.max(0, total.inputTokens - total.cachedInputTokens)),
      cacheRead: known(total.cachedInputTokens),
      cacheWrite: undefined,
    },
    outputTokens: {
      total: known(total.outputTokens),
      text: known(Math.max(0, total.outputTokens - total.reasoningTokens)),
      reasoning: known(total.reasoningTokens),
    },
    raw: {
      calls: total.calls,
      totalTokens: total.totalTokens,
      callsWithoutUsage: total.callsWithoutUsage,
      ...(total.costUsd === undefined ? {} : { costUsd: total.costUsd }),
    },
  };
}
