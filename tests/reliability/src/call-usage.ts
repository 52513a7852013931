/**
 * Per-call token and cost figures of a finished run, read from its trajectory: every root call
 * (iterations and the closing "answer now" call) and every sub-call, child runs included.
 */
import type { RLMResult, Trajectory } from '@rlms/core';

export interface CallFigures {
  readonly kind: 'root' | 'closing' | 'sub';
  readonly tokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

function tokensOf(usage: { totalTokens?: number; inputTokens?: number; outputTokens?: number } | undefined): number {
  if (usage === undefined) return 0;
  return usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}

function collect(trajectory: Trajectory, out: CallFigures[]): void {
  for (const step of trajectory.steps) {
    out.push({
      kind: step.kind === 'final-answer' ? 'closing' : 'root',
      tokens: tokensOf(step.action.usage),
      outputTokens: step.action.usage?.outputTokens ?? 0,
      costUsd: step.action.costUsd ?? 0,
    });
    for (const subcall of step.subcalls) {
      if (subcall.child !== undefined) collect(subcall.child, out);
      else if (subcall.usage !== undefined) {
        out.push({ kind: 'sub', tokens: tokensOf(subcall.usage), outputTokens: subcall.usage.outputTokens ?? 0, costUsd: subcall.costUsd ?? 0 });
      }
    }
  }
}

/** Every model call of the run tree that reached the provider. */
export function callFigures(result: RLMResult<unknown>): CallFigures[] {
  const out: CallFigures[] = [];
  collect(result.trajectory, out);
  return out;
}

/** How far a run went past its limits, in the terms of docs/reliability.md. */
export interface Overshoot {
  readonly totalTokens: number;
  readonly totalCostUsd: number;
  /** Tokens and cost of the closing call (0 when there was none). */
  readonly closingTokens: number;
  readonly closingCostUsd: number;
  /** The largest single call (tokens, cost) other than the closing one. */
  readonly largestCallTokens: number;
  readonly largestCallCostUsd: number;
  readonly calls: number;
}

export function overshoot(result: RLMResult<unknown>): Overshoot {
  const calls = callFigures(result);
  const closing = calls.filter((call) => call.kind === 'closing');
  const others = calls.filter((call) => call.kind !== 'closing');
  return {
    totalTokens: result.usage.total.totalTokens,
    totalCostUsd: result.usage.total.costUsd ?? 0,
    closingTokens: closing.reduce((sum, call) => sum + call.tokens, 0),
    closingCostUsd: closing.reduce((sum, call) => sum + call.costUsd, 0),
    largestCallTokens: Math.max(0, ...others.map((call) => call.tokens)),
    largestCallCostUsd: Math.max(0, ...others.map((call) => call.costUsd)),
    calls: calls.length,
  };
}
