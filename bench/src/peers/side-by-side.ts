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
}

/** The side-by-side table. */
export interface SideBySideResult {
  readonly latencyMs: number;
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

async function measure(impl: Implementation, options: SideBySideOptions, take: () => Promise<ServerActivity>): Promise<SideBySideRow> {
  const wall: number[] = [];
  const overhead: number[] = [];
  const rootCalls: number[] = [];
  const modelCalls: number[] = [];
  const errors: string[] = [];
  let correct = 0;
  const warmup = options.warmupRuns ?? 1;
  await take();
  for (let run = 0; run < warmup + options.runs; run++) {
    const start = preciseNow();
    let answer = '';
    try {
      answer = await impl.run(options.workload.question, options.workload.text);
    } catch (error) {
      if (errors.length < 3) errors.push(errorText(error));
    }
    const end = preciseNow();
    const activity = await take();
    if (run < warmup) continue;
    if (answer.trim() === String(options.workload.expected)) correct++;
    const roots = activity.calls.filter((call) => ROOT_DIALECTS.has(call.dialect)).length;
    wall.push(end - start);
    rootCalls.push(roots);
    modelCalls.push(activity.calls.length);
    overhead.push((end - start - coveredMs(activity.calls, { start, end })) / Math.max(1, roots));
  }
  let batch: Pick<SideBySideRow, 'batchSpanMs' | 'batchConcurrency' | 'batchCorrect'> = {};
  if (options.batchPrompts > 0) {
    let answer = '';
    try {
      answer = await impl.run(batchQuestion(options.batchPrompts), 'batch timing');
    } catch (error) {
      if (errors.length < 3) errors.push(`batch: ${errorText(error)}`);
    }
    const subcalls = (await take()).calls.filter((call) => SUBCALL_DIALECTS.has(call.dialect));
    if (subcalls.length > 0) {
      batch = {
        batchSpanMs: Math.max(...subcalls.map((call) => call.end)) - Math.min(...subcalls.map((call) => call.start)),
        batchConcurrency: maxOverlap(subcalls),
        batchCorrect: answer.trim() === String(options.batchPrompts),
      };
    }
  }
  return {
    id: impl.id,
    label: impl.label,
    runtime: impl.runtime,
    runs: options.runs,
    correctRuns: correct,
    wallMs: summarize(wall),
    rootCalls: summarize(rootCalls).median,
    modelCalls: summarize(modelCalls).median,
    overheadPerIterationMs: summarize(overhead),
    ...batch,
    errors,
  };
}

/**
 * Runs the same scripted workload (same server, latency and policy, in each implementation's own
 * dialect) through rlms on each given sandbox and through the peer packages, in this process.
 */
export async function runSideBySide(options: SideBySideOptions): Promise<SideBySideResult> {
  const log = options.log ?? (() => undefined);
  const server = await startScriptedServer({
    latencyMs: options.latencyMs,
    chunkChars: options.workload.chunkChars,
    ...(options.inProcessServer === true ? { inProcess: true } : {}),
  });
  const rows: SideBySideRow[] = [];
  const unavailable: UnavailableImplementation[] = [];
  try {
    const implementations: (() => Promise<Implementation>)[] = options.sandboxes.map(
      (sandbox) => async () => rlmsImplementation(sandbox.name, sandbox.provider, server.baseURL, options.concurrency),
    );
    const peers = options.peers ?? ['ax', 'recursive-llm-ts'];
    if (peers.includes('ax')) implementations.push(() => axImplementation(server.baseURL, options.concurrency));
    if (peers.includes('recursive-llm-ts')) implementations.push(() => recursiveLlmTsImplementation(server.baseURL));
    const peerIds = [...options.sandboxes.map((sandbox) => `rlms-${sandbox.name}`), ...peers];
    for (const [index, create] of implementations.entries()) {
      let impl: Implementation | undefined;
      try {
        impl = await create();
      } catch (error) {
        unavailable.push({ id: peerIds[index]!, reason: errorText(error) });
        continue;
      }
      log(`side by side: ${impl.id}`);
      try {
        rows.push(await measure(impl, options, () => server.take()));
      } finally {
        await impl.close();
      }
    }
  } finally {
    await server.close();
  }
  return {
    latencyMs: options.latencyMs,
    concurrency: options.concurrency,
    batchPrompts: options.batchPrompts,
    batchIdealMs: Math.ceil(options.batchPrompts / options.concurrency) * options.latencyMs,
    rows,
    unavailable,
  };
}
