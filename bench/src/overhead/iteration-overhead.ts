import { createOpenAIProvider } from '@rlms/openai';
import type { SandboxProviderV1 } from '@rlms/core';
import type { ScriptedServer } from '../server/scripted-server.js';
import { coveredMs } from '../util/intervals.js';
import { summarize, type Summary } from '../util/stats.js';
import { timedRun } from './timed-run.js';
import type { Workload } from './workload.js';

/** Options of {@link measureIterationOverhead}. */
export interface IterationOverheadOptions {
  readonly sandbox: SandboxProviderV1;
  /** Server answering with the overhead policy (its chunk size must match the workload's). */
  readonly server: ScriptedServer;
  readonly workload: Workload;
  /** The server's fixed latency per model call, ms (subtracted as model time). */
  readonly latencyMs: number;
  /** Measured runs. */
  readonly runs: number;
  /** Unmeasured runs first (JIT, caches, pools). Default 2. */
  readonly warmupRuns?: number;
}

/** Per-iteration overhead of one sandbox. */
export interface IterationOverheadResult {
  readonly sandbox: string;
  readonly runs: number;
  readonly correctRuns: number;
  /** Root iterations measured. */
  readonly iterations: number;
  /** Engine + sandbox time per root iteration (model wait and session setup excluded), ms. */
  readonly overheadMs: Summary;
  /** The engine part alone, ms per iteration. */
  readonly engineMs: Summary;
  /** The sandbox part alone (inside execute, not waiting on a model), ms per iteration. */
  readonly sandboxMs: Summary;
  /** Session create + context load + destroy per run, ms. */
  readonly setupMs: Summary;
  /** Wall time per run, ms. */
  readonly wallMs: Summary;
  /**
   * The cross-implementation measure: (run wall − time the server spent "thinking") / root iterations, ms.
   * Counts the HTTP client and session setup as overhead, like for the other implementations.
   */
  readonly wallOverheadPerIterationMs: Summary;
  /** Client-side model call time minus the server latency: the HTTP + SDK cost per call, ms. */
  readonly httpPerCallMs: Summary;
  readonly modelCallsPerRun: number;
}

/**
 * Runs the scripted workload `runs` times through `createRLM` with the OpenAI provider against the
 * scripted server, and reports where each root iteration's time went.
 */
export async function measureIterationOverhead(options: IterationOverheadOptions): Promise<IterationOverheadResult> {
  const model = createOpenAIProvider({ model: 'bench-model', baseURL: options.server.baseURL, apiKey: 'bench', maxRetries: 0 });
  const overhead: number[] = [];
  const engine: number[] = [];
  const sandbox: number[] = [];
  const setup: number[] = [];
  const wall: number[] = [];
  const uniform: number[] = [];
  const http: number[] = [];
  let correct = 0;
  let iterations = 0;
  let modelCalls = 0;
  const warmup = options.warmupRuns ?? 2;
  await options.server.take();
  for (let run = 0; run < warmup + options.runs; run++) {
    const timed = await timedRun({ sandbox: options.sandbox, model, context: options.workload.text, question: options.workload.question });
    const activity = await options.server.take();
    if (run < warmup) continue;
    if (timed.result.status === 'completed' && String(timed.result.answer).trim() === String(options.workload.expected)) correct++;
    for (const iteration of timed.iterations) {
      overhead.push(iteration.overheadMs);
      engine.push(iteration.engineMs);
      sandbox.push(iteration.sandboxMs);
    }
    iterations += timed.iterations.length;
    modelCalls += timed.log.model.length;
    setup.push(timed.setupMs);
    wall.push(timed.wallMs);
    uniform.push((timed.wallMs - coveredMs(activity.calls, timed.window)) / Math.max(1, timed.result.iterations));
    for (const call of timed.log.model) http.push(call.end - call.start - options.latencyMs);
  }
  return {
    sandbox: options.sandbox.name,
    runs: options.runs,
    correctRuns: correct,
    iterations,
    overheadMs: summarize(overhead),
    engineMs: summarize(engine),
    sandboxMs: summarize(sandbox),
    setupMs: summarize(setup),
    wallMs: summarize(wall),
    wallOverheadPerIterationMs: summarize(uniform),
    httpPerCallMs: summarize(http),
    modelCallsPerRun: options.runs === 0 ? 0 : modelCalls / options.runs,
  };
}
