/** A time interval `[start, end]` in milliseconds on one clock (`performance.timeOrigin + performance.now()`). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Merges overlapping intervals; the result is sorted and disjoint. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((interval) => interval.end > interval.start).sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ start: interval.start, end: interval.end });
  }
  return merged;
}

/** Total length covered by `intervals` (overlaps counted once), clipped to `window` when given. */
export function coveredMs(intervals: readonly Interval[], window?: Interval): number {
  let total = 0;
  for (const interval of mergeIntervals(intervals)) {
    const start = window === undefined ? interval.start : Math.max(interval.start, window.start);
    const end = window === undefined ? interval.end : Math.min(interval.end, window.end);
    if (end > start) total += end - start;
  }
  return total;
}

/** Intersection of two interval sets, as disjoint intervals. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = mergeIntervals(a);
  const right = mergeIntervals(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left[i]!;
    const y = right[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

/** The most intervals that overlap at one instant. */
export function maxOverlap(intervals: readonly Interval[]): number {
  const edges = intervals.flatMap((interval) => [
    { at: interval.start, delta: 1 },
    { at: interval.end, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.delta;
    most = Math.max(most, current);
  }
  return most;
}
