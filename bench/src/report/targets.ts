/** The targets RESULTS.md reports against. */
export const TARGETS = {
  /** Median engine + sandbox overhead per iteration, ms, by sandbox (others: no target). */
  iterationOverheadMs: { local: 2, pyodide: 5 } as Readonly<Record<string, number>>,
  /** `llm_query_batched` wall time / ideal. */
  batchedRatio: 1.1,
  /** Context size for the load targets, bytes. */
  loadTargetBytes: 100_000_000,
  /** Load time of the 100 MB context, ms. */
  loadMs: 1000,
  /** Peak RSS growth / context bytes. */
  loadGrowthRatio: 3,
  /** r² of a linear fit of time and memory against context size that counts as linear. */
  linearR2: 0.95,
} as const;

/** `✅ met` or `❌ missed by …` for a value that must stay at or under a limit. */
export function verdictAtMost(value: number, limit: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  if (value <= limit) return `✅ met (${format(value)}${unit} ≤ ${format(limit)}${unit})`;
  const over = unit === '×' ? `by ${format(value - limit)}` : `by ${format(value - limit)}${unit}, ${(value / limit).toFixed(2)}× the target`;
  return `❌ missed: ${format(value)}${unit} > ${format(limit)}${unit} (${over})`;
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * Verdict for "linear in context size": ✅ when a line fits (r² ≥ {@link TARGETS.linearR2}) or when the
 * cost per token falls from the smallest to the largest size (fixed costs amortised: no worse than linear).
 */
export function verdictLinear(points: readonly { readonly x: number; readonly y: number }[], r2: number): string {
  if (r2 >= TARGETS.linearR2) return `✅ linear (r² ${r2.toFixed(3)})`;
  const first = points[0];
  const last = points.at(-1);
  if (first !== undefined && last !== undefined && first.x > 0 && last.y / last.x <= first.y / first.x) {
    return `✅ no worse than linear: cost per 1M tokens falls from ${(first.y / first.x).toFixed(0)} to ${(last.y / last.x).toFixed(0)} (noisy fit, r² ${r2.toFixed(3)})`;
  }
  return `❌ grows faster than linear (r² ${r2.toFixed(3)}; per 1M tokens ${first === undefined ? '?' : (first.y / first.x).toFixed(0)} → ${last === undefined ? '?' : (last.y / last.x).toFixed(0)})`;
}
