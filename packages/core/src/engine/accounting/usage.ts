import type { ModelPricing, PricingTable, TokenUsage } from '../../spec/usage.js';

/** Totals over a group of model calls. Token fields count only calls that reported them. */
export interface UsageSummary {
  /** Model calls made (root calls, sub-calls and child runs' calls). */
  calls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  /** Sum of the known costs in US dollars; `undefined` when no call had a known cost. */
  costUsd: number | undefined;
  /** Calls whose backend reported no token usage at all. */
  callsWithoutUsage: number;
  /** Calls whose cost is unknown (no price for the model). When > 0, `costUsd` is a lower bound. */
  callsWithoutCost: number;
}

/** Usage of a whole run tree. */
export interface RunUsage {
  readonly total: UsageSummary;
  /** Keyed by `provider:modelId`. */
  readonly byModel: Readonly<Record<string, UsageSummary>>;
  /** Keyed by depth: root calls are depth 0, sub-calls made from a depth-d REPL are depth d + 1. */
  readonly byDepth: Readonly<Record<number, UsageSummary>>;
}

/** Creates an empty summary. */
export function emptyUsageSummary(): UsageSummary {
  return {
    calls: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    totalTokens: 0,
    costUsd: undefined,
    callsWithoutUsage: 0,
    callsWithoutCost: 0,
  };
}

/** Tokens a usage report stands for: `totalTokens`, else input + output, else 0. */
export function usageTokens(usage: TokenUsage): number {
  if (usage.totalTokens !== undefined) return usage.totalTokens;
  return (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}

/** True when a backend reported any token count (input, output or total). */
export function hasUsage(usage: TokenUsage): boolean {
  return (
    usage.inputTokens !== undefined ||
    usage.outputTokens !== undefined ||
    usage.totalTokens !== undefined
  );
}

function add(summary: UsageSummary, usage: TokenUsage, costUsd: number | undefined): void {
  summary.calls += 1;
  summary.inputTokens += usage.inputTokens ?? 0;
  summary.cachedInputTokens += usage.cachedInputTokens ?? 0;
  summary.outputTokens += usage.outputTokens ?? 0;
  summary.reasoningTokens += usage.reasoningTokens ?? 0;
  summary.totalTokens += usageTokens(usage);
  if (!hasUsage(usage)) summary.callsWithoutUsage += 1;
  if (costUsd === undefined) summary.callsWithoutCost += 1;
  else summary.costUsd = (summary.costUsd ?? 0) + costUsd;
}

/**
 * Cost of one call in US dollars: uncached input at `inputPerMillion`, cached input at
 * `cachedInputPerMillion` (default: `inputPerMillion`), output (reasoning included) at
 * `outputPerMillion`.
 *
 * @returns `undefined` when `pricing` is `undefined` or the usage lacks `inputTokens` or
 *   `outputTokens` — a cost is never guessed. A missing `cachedInputTokens` counts as none cached.
 */
export function computeCostUsd(usage: TokenUsage, pricing: ModelPricing | undefined): number | undefined {
  if (pricing === undefined) return undefined;
  const { inputTokens, outputTokens } = usage;
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const cached = Math.min(usage.cachedInputTokens ?? 0, inputTokens);
  const dollars =
    ((inputTokens - cached) * pricing.inputPerMillion +
      cached * (pricing.cachedInputPerMillion ?? pricing.inputPerMillion) +
      outputTokens * pricing.outputPerMillion) /
    1_000_000;
  return Number.isFinite(dollars) && dollars >= 0 ? dollars : undefined;
}

/** Looks a model up in a price table by exact id, then by the longest id that prefixes it (`gpt-4o-2024-08-06` → `gpt-4o`). */
export function findPricing(table: PricingTable | undefined, modelId: string): ModelPricing | undefined {
  if (table === undefined) return undefined;
  const exact = table[modelId];
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (modelId.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * Accumulates the usage of model calls. A root run's tracker covers its whole tree; a child run has
 * its own tracker whose records also go to its parent's, so every run reports its own subtree.
 */
export class UsageTracker {
  private readonly total = emptyUsageSummary();
  private readonly byModel = new Map<string, UsageSummary>();
  private readonly byDepth = new Map<number, UsageSummary>();

  constructor(private readonly parent?: UsageTracker) {}

  /** Records one model call (here and in every ancestor tracker). */
  record(modelKey: string, depth: number, usage: TokenUsage, costUsd: number | undefined): void {
    this.parent?.record(modelKey, depth, usage, costUsd);
    add(this.total, usage, costUsd);
    let model = this.byModel.get(modelKey);
    if (model === undefined) this.byModel.set(modelKey, (model = emptyUsageSummary()));
    add(model, usage, costUsd);
    let level = this.byDepth.get(depth);
    if (level === undefined) this.byDepth.set(depth, (level = emptyUsageSummary()));
    add(level, usage, costUsd);
  }

  /** Tokens used so far by the whole tree. */
  get totalTokens(): number {
    return this.total.totalTokens;
  }

  /** Known cost so far (0 when nothing is priced). */
  get totalCostUsd(): number {
    return this.total.costUsd ?? 0;
  }

  /** A frozen copy of the current totals. */
  snapshot(): RunUsage {
    return {
      total: { ...this.total },
      byModel: Object.fromEntries([...this.byModel].map(([key, value]) => [key, { ...value }])),
      byDepth: Object.fromEntries([...this.byDepth].sort(([a], [b]) => a - b).map(([key, value]) => [key, { ...value }])),
    };
  }
}
