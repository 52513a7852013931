import { createOpenAIProvider } from '@rlms/openai';
import type { SandboxProviderV1 } from '@rlms/core';
import { sessionProcesses, type SandboxName } from '../sandboxes/load-sandboxes.js';
import { startScriptedServer } from '../server/scripted-server.js';
import { coveredMs } from '../util/intervals.js';
import { readProcessMemory, resetPeakRss } from '../util/proc-memory.js';
import { linearFit } from '../util/stats.js';
import { timedRun } from './timed-run.js';
import { makeWorkload } from './workload.js';

/** Options of {@link measureScale}. */
export interface ScaleOptions {
  readonly name: SandboxName;
  readonly sandbox: SandboxProviderV1;
  /** Context sizes in tokens (4 bytes of ASCII text per token). */
  readonly sizesTokens: readonly number[];
  /** Characters per sub-call chunk. Default 400 000 (~100K tokens, a common sub-model window). */
  readonly chunkChars?: number;
  readonly latencyMs: number;
  /** Run the scripted server in this process (tests). Default false. */
  readonly inProcessServer?: boolean;
  /** Idle time before each run so warm pools refill (every run starts like a fresh query), ms. Default 1500. */
  readonly pauseMs?: number;
  /** Runs per size; the fastest is reported (robust to other work on the machine). Default 1. */
  readonly repeats?: number;
}

/** One context size. */
export interface ScaleRow {
  readonly tokens: number;
  readonly bytes: number;
  readonly correct: boolean;
  readonly status: string;
  readonly subcalls: number;
  readonly iterations: number;
  /** Whole run (session start and context load included), ms. */
  readonly wallMs: number;
  /** Wall minus time waiting on models, ms. */
  readonly machineryMs: number;
  /** Session start + context load + destroy, ms. */
  readonly setupMs: number;
  /** Peak RSS of this Node process during the run minus its RSS before, bytes (VmHWM reset before the run). */
  readonly nodeGrowthBytes: number;
  /** Peak RSS of the sandbox's own process(es) minus their RSS right after start, bytes (VmHWM read before destroy). */
  readonly sandboxGrowthBytes: number;
  readonly totalGrowthBytes: number;
}

/** Growth of time and memory with context size for one sandbox. */
export interface ScaleResult {
  readonly sandbox: SandboxName;
  readonly chunkChars: number;
  readonly rows: readonly ScaleRow[];
  /** Linear fits over the rows (x in millions of tokens): ms per 1M tokens and MB per 1M tokens, with r². */
  readonly timeFit?: { readonly msPerMTokens: number; readonly interceptMs: number; readonly r2: number };
  readonly memoryFit?: { readonly mbPerMTokens: number; readonly interceptMB: number; readonly r2: number };
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Runs the full scripted workload (probe → chunk → `llm_query_batched` → aggregate → FINAL) over
 * contexts of growing size and records wall time, machinery time and peak memory per size.
 */
export async function measureScale(options: ScaleOptions): Promise<ScaleResult> {
  const chunkChars = makeWorkload(64, options.chunkChars ?? 400_000).chunkChars;
  const server = await startScriptedServer({ latencyMs: options.latencyMs, chunkChars, ...(options.inProcessServer === true ? { inProcess: true } : {}) });
  const rows: ScaleRow[] = [];
  try {
    const model = createOpenAIProvider({ model: 'bench-model', baseURL: server.baseURL, apiKey: 'bench', maxRetries: 0, timeoutMs: 600_000 });
    const runOnce = async (tokens: number, workload: ReturnType<typeof makeWorkload>): Promise<ScaleRow> => {
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 1500));
      collectGarbage();
      let sandboxBaseline = 0;
      let sandboxPeak = 0;
      let tracked: { label: string; pid: number }[] = [];
      resetPeakRss(process.pid);
      const nodeBefore = readProcessMemory(process.pid)?.rssBytes ?? 0;
      const timed = await timedRun({
        sandbox: options.sandbox,
        model,
        context: workload.text,
        question: workload.question,
        sessionHooks: {
          afterCreate: (session) => {
            tracked = sessionProcesses(options.name, session);
            sandboxBaseline = tracked.reduce((sum, entry) => sum + (readProcessMemory(entry.pid)?.rssBytes ?? 0), 0);
          },
          beforeDestroy: () => {
            sandboxPeak = tracked.reduce((sum, entry) => sum + (readProcessMemory(entry.pid)?.peakBytes ?? 0), 0);
          },
        },
      });
      const nodePeak = readProcessMemory(process.pid)?.peakBytes ?? 0;
      await server.take();
      const nodeGrowthBytes = Math.max(0, nodePeak - nodeBefore);
      const sandboxGrowthBytes = Math.max(0, sandboxPeak - sandboxBaseline);
      return {
        tokens,
        bytes: workload.bytes,
        correct: timed.result.status === 'completed' && String(timed.result.answer).trim() === String(workload.expected),
        status: timed.result.status,
        subcalls: timed.result.subcalls,
        iterations: timed.result.iterations,
        wallMs: timed.wallMs,
        machineryMs: timed.wallMs - coveredMs(timed.log.model, timed.window),
        setupMs: timed.setupMs,
        nodeGrowthBytes,
        sandboxGrowthBytes,
        totalGrowthBytes: nodeGrowthBytes + sandboxGrowthBytes,
      };
    };
    for (const tokens of options.sizesTokens) {
      const workload = makeWorkload(tokens * 4, chunkChars);
      const runs: ScaleRow[] = [];
      for (let repeat = 0; repeat < Math.max(1, options.repeats ?? 1); repeat++) runs.push(await runOnce(tokens, workload));
      // The fastest run, unless some run was wrong: then report that one.
      rows.push(runs.find((run) => !run.correct) ?? runs.reduce((best, run) => (run.wallMs < best.wallMs ? run : best)));
    }
  } finally {
    await server.close();
  }
  const time = linearFit(rows.map((row) => ({ x: row.tokens / 1e6, y: row.wallMs })));
  const memory = linearFit(rows.map((row) => ({ x: row.tokens / 1e6, y: row.totalGrowthBytes / 1e6 })));
  return {
    sandbox: options.name,
    chunkChars,
    rows,
    ...(time === undefined ? {} : { timeFit: { msPerMTokens: time.slope, interceptMs: time.intercept, r2: time.r2 } }),
    ...(memory === undefined ? {} : { memoryFit: { mbPerMTokens: memory.slope, interceptMB: memory.intercept, r2: memory.r2 } }),
  };
}
