import type { SandboxName } from './sandboxes/load-sandboxes.js';

/** The parts of `pnpm bench`. */
export type BenchSection = 'overhead' | 'host-call' | 'batched' | 'context-load' | 'session-start' | 'scale' | 'side-by-side' | 'suites' | 'whole-run';

/** Every section, in run order. */
export const BENCH_SECTIONS: readonly BenchSection[] = ['overhead', 'host-call', 'batched', 'context-load', 'session-start', 'scale', 'side-by-side', 'suites', 'whole-run'];

const MB = 1_000_000;

/** Every knob of a benchmark run. */
export interface BenchProfile {
  readonly name: 'quick' | 'full' | 'custom';
  /** Server latency per model call for the overhead, scale and side-by-side workloads, ms. */
  readonly latencyMs: number;
  readonly overhead: { readonly runs: number; readonly warmupRuns: number; readonly contextBytes: number; readonly chunkChars: number };
  readonly hostCall: { readonly calls: number };
  readonly batched: { readonly sizes: readonly number[]; readonly latencyMs: number; readonly concurrency: number; readonly repeats: number };
  /** Context sizes in bytes per sandbox. */
  readonly contextLoad: Readonly<Record<SandboxName, readonly number[]>>;
  readonly sessionStart: { readonly coldRuns: number; readonly warmRuns: number; readonly idleRuns: number; readonly idleMs: number };
  /** Context sizes in tokens per sandbox (empty: not run). */
  readonly scale: { readonly sizesTokens: Readonly<Record<SandboxName, readonly number[]>>; readonly chunkChars: number; readonly pauseMs?: number; readonly repeats?: number };
  readonly sideBySide: { readonly runs: number; readonly warmupRuns: number; readonly batchPrompts: number; readonly rlmsSandboxes: readonly SandboxName[] };
  /** Oracle harness check sizes (tokens) per suite id. */
  readonly suites: { readonly sizes: Readonly<Record<string, readonly number[]>>; readonly tasksPerSize: number };
  /** The whole-run scenario through the real CLI (issue 22): context sizes in MB (empty: not run) and runs per size. */
  readonly wholeRun?: { readonly sizesMB: readonly number[]; readonly repeats: number };
}

/** A few minutes on a 2-core machine. */
export const QUICK_PROFILE: BenchProfile = {
  name: 'quick',
  latencyMs: 20,
  overhead: { runs: 15, warmupRuns: 2, contextBytes: 256 * 1024, chunkChars: 32 * 1024 },
  hostCall: { calls: 300 },
  batched: { sizes: [64, 256], latencyMs: 100, concurrency: 16, repeats: 3 },
  contextLoad: { local: [1 * MB, 10 * MB, 100 * MB], pyodide: [1 * MB, 10 * MB, 100 * MB], docker: [1 * MB, 10 * MB, 100 * MB] },
  sessionStart: { coldRuns: 3, warmRuns: 5, idleRuns: 2, idleMs: 1500 },
  scale: { sizesTokens: { local: [1_000_000, 2_000_000, 4_000_000], pyodide: [1_000_000, 2_000_000, 4_000_000], docker: [] }, chunkChars: 400_000, repeats: 2 },
  sideBySide: { runs: 5, warmupRuns: 1, batchPrompts: 64, rlmsSandboxes: ['local', 'pyodide'] },
  suites: { sizes: { 's-niah': [8_000, 32_000, 128_000], oolong: [8_000, 32_000], 'oolong-pairs': [8_000, 32_000], codeqa: [16_000, 64_000] }, tasksPerSize: 3 },
  wholeRun: { sizesMB: [1, 10, 100], repeats: 1 },
};

/** Adds the 1 GB context (local) and the 10M-token run, and more repetitions. */
export const FULL_PROFILE: BenchProfile = {
  ...QUICK_PROFILE,
  name: 'full',
  overhead: { ...QUICK_PROFILE.overhead, runs: 40 },
  hostCall: { calls: 1000 },
  batched: { ...QUICK_PROFILE.batched, repeats: 5 },
  contextLoad: { ...QUICK_PROFILE.contextLoad, local: [1 * MB, 10 * MB, 100 * MB, 1000 * MB] },
  sessionStart: { ...QUICK_PROFILE.sessionStart, coldRuns: 5, warmRuns: 10 },
  scale: {
    ...QUICK_PROFILE.scale,
    sizesTokens: {
      local: [1_000_000, 2_500_000, 5_000_000, 10_000_000],
      pyodide: [1_000_000, 2_500_000, 5_000_000, 10_000_000],
      docker: [1_000_000, 2_500_000, 5_000_000, 10_000_000],
    },
  },
  sideBySide: { ...QUICK_PROFILE.sideBySide, runs: 15, warmupRuns: 2 },
  suites: {
    sizes: { 's-niah': [8_000, 32_000, 128_000, 512_000, 1_000_000], oolong: [8_000, 32_000, 128_000], 'oolong-pairs': [8_000, 32_000, 128_000], codeqa: [16_000, 64_000, 256_000] },
    tasksPerSize: 3,
  },
  wholeRun: { sizesMB: [1, 10, 100], repeats: 3 },
};

/** A tiny profile for the offline smoke test (seconds). */
export const SMOKE_PROFILE: BenchProfile = {
  name: 'custom',
  latencyMs: 2,
  overhead: { runs: 2, warmupRuns: 0, contextBytes: 16 * 1024, chunkChars: 4096 },
  hostCall: { calls: 20 },
  batched: { sizes: [8], latencyMs: 5, concurrency: 4, repeats: 1 },
  contextLoad: { local: [100_000], pyodide: [100_000], docker: [100_000] },
  sessionStart: { coldRuns: 0, warmRuns: 2, idleRuns: 0, idleMs: 0 },
  scale: { sizesTokens: { local: [2_000, 8_000], pyodide: [], docker: [] }, chunkChars: 4096, pauseMs: 0 },
  sideBySide: { runs: 1, warmupRuns: 0, batchPrompts: 4, rlmsSandboxes: ['local'] },
  suites: { sizes: { 's-niah': [2_000], oolong: [2_000], 'oolong-pairs': [2_000], codeqa: [4_000] }, tasksPerSize: 1 },
  // The whole-run scenario needs the built CLI (packages/rlms/dist); its units are tested apart.
  wholeRun: { sizesMB: [], repeats: 1 },
};
