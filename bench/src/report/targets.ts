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
  linearR2: 0.98,
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
