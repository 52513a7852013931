/**
 * Resource baselines and the "nothing left behind" check shared by the test files and the soak.
 */
import { stat } from 'node:fs/promises';
import {
  activeHandles,
  findMarkedProcesses,
  handleGrowth,
  killAll,
  memoryAfterGc,
  pythonDescendants,
  settle,
  threadCount,
  type ProcessInfo,
  type ProcessMark,
} from './leak-check.ts';
import type { PrivateTmpdir } from './private-tmpdir.ts';

export interface Baseline {
  readonly handles: Record<string, number>;
  readonly threads: number;
  readonly memory: ReturnType<typeof memoryAfterGc>;
}

/** Takes a baseline after warming what Node creates lazily and keeps (the libuv thread pool). */
export async function takeBaseline(): Promise<Baseline> {
  await stat('/');
  return { handles: activeHandles(), threads: threadCount(), memory: memoryAfterGc() };
}

/** What was found left behind after cleanup. Every list/record empty and `extraThreads` 0 means no leak. */
export interface LeakReport {
  readonly markedProcesses: readonly ProcessInfo[];
  readonly pythonChildren: readonly ProcessInfo[];
  readonly tempEntries: readonly string[];
  readonly handleGrowth: Record<string, number>;
  readonly extraThreads: number;
  /** Memory growth against the baseline, in bytes (reported, not judged). */
  readonly rssGrowth: number;
  readonly heapGrowth: number;
}

/** Total count of leaked things in a report (memory excluded). */
export function leakCount(report: LeakReport): number {
  return (
    report.markedProcesses.length +
    report.pythonChildren.length +
    report.tempEntries.length +
    Object.values(report.handleGrowth).reduce((sum, count) => sum + count, 0) +
    report.extraThreads
  );
}

/**
 * Waits (up to `timeoutMs`) for processes, temp entries, handles and threads to return to the
 * baseline, then reports what is still there. Leaked processes are killed afterwards so they do
 * not outlive the test.
 */
export async function checkLeaks(options: {
  readonly baseline: Baseline;
  readonly mark?: ProcessMark;
  readonly tmp?: PrivateTmpdir;
  readonly timeoutMs?: number;
}): Promise<LeakReport> {
  const { baseline, mark, tmp } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const markedProcesses = mark === undefined ? [] : await settle(() => findMarkedProcesses(mark), (list) => list.length === 0, timeoutMs);
  const pythonChildren = await settle(() => pythonDescendants(), (list) => list.length === 0, timeoutMs);
  const tempEntries = tmp === undefined ? [] : await settle(() => tmp.entries(), (list) => list.length === 0, timeoutMs);
  const growth = await settle(() => handleGrowth(baseline.handles), (value) => Object.keys(value).length === 0, timeoutMs);
  const threads = await settle(() => threadCount(), (count) => count <= baseline.threads, timeoutMs);
  const memory = memoryAfterGc();
  killAll([...markedProcesses, ...pythonChildren]);
  return {
    markedProcesses,
    pythonChildren,
    tempEntries,
    handleGrowth: growth,
    extraThreads: Math.max(0, threads - baseline.threads),
    rssGrowth: memory.rss - baseline.memory.rss,
    heapGrowth: memory.heapUsed - baseline.memory.heapUsed,
  };
}

/** The leak report without the memory figures (for `expect(...).toEqual(...)` with a readable diff). */
export function leaksOnly(report: LeakReport): Omit<LeakReport, 'rssGrowth' | 'heapGrowth'> {
  const { rssGrowth: _rss, heapGrowth: _heap, ...rest } = report;
  return rest;
}

/** The expected value of `leaksOnly` when nothing leaked. */
export const NO_LEAKS = { markedProcesses: [], pythonChildren: [], tempEntries: [], handleGrowth: {}, extraThreads: 0 } as const;

/** Megabytes with one decimal, for reports. */
export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
