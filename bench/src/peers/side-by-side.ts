import type { SandboxProviderV1 } from '@rlms/core';
import { batchQuestion } from '../scripted/overhead-policy.js';
import { ROOT_DIALECTS, SUBCALL_DIALECTS, startScriptedServer, type ServerActivity } from '../server/scripted-server.js';
import { coveredMs, maxOverlap, preciseNow } from '../util/intervals.js';
import { summarize, type Summary } from '../util/stats.js';
import type { Workload } from '../overhead/workload.js';
import {
  axImplementation,
  recursiveLlmTsImplementation,
  rlmsImplementation,
  type Implementation,
  type UnavailableImplementation,
} from './implementations.js';

/** Options of {@link runSideBySide}. */
export interface SideBySideOptions {
  /** rlms sandboxes to include, by name. */
  readonly sandboxes: readonly { readonly name: string; readonly provider: SandboxProviderV1 }[];
  readonly workload: Workload;
  readonly latencyMs: number;
  /** Measured runs of the count workload per implementation. */
  readonly runs: number;
  readonly warmupRuns?: number;
  /** Prompts of the batch-timing run (one run per implementation, after the workload). 0 skips it. */
  readonly batchPrompts: number;
  /** Model latency of the batch-timing run, ms (its own server). Default `latencyMs`. */
  readonly batchLatencyMs?: number;
  readonly concurrency: number;
  /** Which peers to run. Default both. */
  readonly peers?: readonly ('ax' | 'recursive-llm-ts')[];
  readonly inProcessServer?: boolean;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** One implementation's figures. */
export interface SideBySideRow {
  readonly id: string;
  readonly label: string;
  readonly runtime: string;
  readonly runs: number;
  readonly correctRuns: number;
  /** Wall time per run, ms. */
  readonly wallMs: Summary;
  /** Root model calls (actor turns) per run, median. */
  readonly rootCalls: number;
  /** All model calls per run, median (root, sub-calls, responder, child RLMs). */
  readonly modelCalls: number;
  /** (wall − server thinking time) / root calls, per run, ms. */
  readonly overheadPerIterationMs: Summary;
  /** The batch-timing run: first sub-call start to last sub-call end as seen by the server, ms. */
  readonly batchSpanMs?: number;
  /** Most sub-calls the server answered at once during the batch. */
  readonly batchConcurrency?: number;
  readonly batchCorrect?: boolean;
  /** Errors of failed runs (first few). */
  readonly errors: readonly string[];
  /** rlms rows: session start + load + destroy per run (median) and engine + sandbox per root iteration (median), ms, from the same runs. */
  readonly breakdown?: { readonly setupPerRunMs: number; readonly enginePlusSandboxPerIterationMs: number };
}

/** The side-by-side table. */
export interface SideBySideResult {
  readonly latencyMs: number;
  readonly batchLatencyMs: number;
  readonly concurrency: number;
  readonly batchPrompts: number;
  /** `ceil(batchPrompts / concurrency) × latency`. */
  readonly batchIdealMs: number;
  readonly rows: readonly SideBySideRow[];
  readonly unavailable: readonly UnavailableImplementation[];
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}

/** Samples of one implementation, filled run by run. */
interface Samples {
  readonly impl: Implementation;
  readonly wall: number[];
  readonly overhead: number[];
  readonly rootCalls: number[];
  readonly modelCalls: number[];
  readonly errors: string[];
  readonly setup: number[];
  readonly machinery: number[];
  correct: number;
  batch: Pick<SideBySideRow, 'batchSpanMs' | 'batchConcurrency' | 'batchCorrect'>;
}

async function runOnce(samples: Samples, options: SideBySideOptions, take: () => Promise<ServerActivity>, measured: boolean): Promise<void> {
  const start = preciseNow();
  let answer = '';
  try {
    answer = await samples.impl.run(options.workload.question, options.workload.text);
  } catch (error) {
    if (samples.errors.length < 3) samples.errors.push(errorText(error));
  }
  const end = preciseNow();
  const activity = await take();
  if (!measured) return;
  const breakdown = samples.impl.lastBreakdown?.();
  if (breakdown !== undefined) {
    samples.setup.push(breakdown.setupMs);
    samples.machinery.push(...breakdown.overheadPerIterationMs);
  }
  if (answer.trim() === String(options.workload.expected)) samples.correct++;
  const roots = activity.calls.filter((call) => ROOT_DIALECTS.has(call.dialect)).length;
  samples.wall.push(end - start);
  samples.rootCalls.push(roots);
  samples.modelCalls.push(activity.calls.length);
  samples.overhead.push((end - start - coveredMs(activity.calls, { start, end })) / Math.max(1, roots));
}

async function runBatch(impl: Implementation, samples: Samples, prompts: number, take: () => Promise<ServerActivity>): Promise<void> {
  let answer = '';
  try {
    answer = await impl.run(batchQuestion(prompts), 'batch timing');
  } catch (error) {
    if (samples.errors.length < 3) samples.errors.push(`batch: ${errorText(error)}`);
  }
  const subcalls = (await take()).calls.filter((call) => SUBCALL_DIALECTS.has(call.dialect));
  if (subcalls.length === 0) return;
  samples.batch = {
    batchSpanMs: Math.max(...subcalls.map((call) => call.end)) - Math.min(...subcalls.map((call) => call.start)),
    batchConcurrency: maxOverlap(subcalls),
    batchCorrect: answer.trim() === String(prompts),
  };
}

function toRow(samples: Samples, runs: number): SideBySideRow {
  return {
    id: samples.impl.id,
    label: samples.impl.label,
    runtime: samples.impl.runtime,
    runs,
    correctRuns: samples.correct,
    wallMs: summarize(samples.wall),
    rootCalls: summarize(samples.rootCalls).median,
    modelCalls: summarize(samples.modelCalls).median,
    overheadPerIterationMs: summarize(samples.overhead),
    ...samples.batch,
    errors: samples.errors,
    ...(samples.setup.length === 0
      ? {}
      : { breakdown: { setupPerRunMs: summarize(samples.setup).median, enginePlusSandboxPerIterationMs: summarize(samples.machinery).median } }),
  };
}

/**
 * Runs the same scripted workload (same server, latency and policy, in each implementation's own
 * dialect) through rlms on each given sandbox and through the peer packages, in this process.
 */
export async function runSideBySide(options: SideBySideOptions): Promise<SideBySideResult> {
  const log = options.log ?? (() => undefined);
  const serverMode = options.inProcessServer === true ? { inProcess: true } : {};
  const server = await startScriptedServer({ latencyMs: options.latencyMs, chunkChars: options.workload.chunkChars, ...serverMode });
  const batchLatencyMs = options.batchLatencyMs ?? options.latencyMs;
  const batchServer = options.batchPrompts > 0 ? await startScriptedServer({ latencyMs: batchLatencyMs, chunkChars: options.workload.chunkChars, ...serverMode }) : undefined;
  const unavailable: UnavailableImplementation[] = [];
  const all: Samples[] = [];
  const batchOnly: Implementation[] = [];
  try {
    const peers = options.peers ?? ['ax', 'recursive-llm-ts'];
    const factories: { id: string; create: (baseURL: string) => Promise<Implementation> }[] = [
      ...options.sandboxes.map((sandbox) => ({
        id: `rlms-${sandbox.name}`,
        create: async (baseURL: string) => rlmsImplementation(sandbox.name, sandbox.provider, baseURL, options.concurrency),
      })),
      ...(peers.includes('ax') ? [{ id: 'ax', create: (baseURL: string) => axImplementation(baseURL, options.concurrency) }] : []),
      ...(peers.includes('recursive-llm-ts') ? [{ id: 'recursive-llm-ts', create: (baseURL: string) => recursiveLlmTsImplementation(baseURL) }] : []),
    ];
    for (const factory of factories) {
      try {
        const impl = await factory.create(server.baseURL);
        all.push({ impl, wall: [], overhead: [], rootCalls: [], modelCalls: [], errors: [], setup: [], machinery: [], correct: 0, batch: {} });
      } catch (error) {
        unavailable.push({ id: factory.id, reason: errorText(error) });
      }
    }
    // Round robin, so that load changes on the machine hit every implementation alike.
    const warmup = options.warmupRuns ?? 1;
    for (let run = 0; run < warmup + options.runs; run++) {
      log(`side by side: run ${run + 1}/${warmup + options.runs}${run < warmup ? ' (warm-up)' : ''}`);
      for (const samples of all) await runOnce(samples, options, () => server.take(), run >= warmup);
    }
    if (batchServer !== undefined) {
      for (const samples of all) {
        const factory = factories.find((candidate) => candidate.id === samples.impl.id)!;
        const impl = await factory.create(batchServer.baseURL);
        batchOnly.push(impl);
        log(`side by side: batch of ${options.batchPrompts} (${impl.id})`);
        await runBatch(impl, samples, options.batchPrompts, () => batchServer.take());
      }
    }
  } finally {
    await Promise.all([...all.map((samples) => samples.impl.close()), ...batchOnly.map((impl) => impl.close())]);
    await server.close();
    await batchServer?.close();
  }
  return {
    latencyMs: options.latencyMs,
    batchLatencyMs,
    concurrency: options.concurrency,
    batchPrompts: options.batchPrompts,
    batchIdealMs: Math.ceil(options.batchPrompts / options.concurrency) * batchLatencyMs,
    rows: all.map((samples) => toRow(samples, options.runs)),
    unavailable,
  };
}
