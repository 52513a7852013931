/**
 * The real-trajectory conformance runner (`pnpm bench trajectories`): replays every recorded
 * trajectory response by response through the `rlms` CLI against a scripted server and classifies
 * where and with what answer each run ended, against the reference.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AS_REAL_OR_BETTER, classify, OUTCOME_CLASSES, rlmsOutcome, type OutcomeClass, type RlmsOutcome } from './classify-outcome.js';
import { diagnose, type Cause, type CauseCode, type Divergence } from './diagnose-divergence.js';
import { startReplayServer } from './replay-server.js';
import { snippet } from './response-shapes.js';
import { assertCliBuilt, rlmsCliPath, runRlmsCli, staleCliNote } from './run-rlms-cli.js';
import { corpusDirectory, loadCorpus, realOutcome, type RealTrajectory } from './trajectory-corpus.js';

/** Sandboxes the runner can replay on. */
export const TRAJECTORY_SANDBOXES = ['local', 'pyodide'] as const;

/** A sandbox the runner can replay on. */
export type TrajectorySandbox = (typeof TRAJECTORY_SANDBOXES)[number];

/** Options of {@link runTrajectories}. */
export interface TrajectoriesOptions {
  /** The corpus folder (holding `corpus/`). Default: `$RLMS_REAL_TRAJECTORIES` or `../shared/real-trajectories` from the repository root. */
  readonly directory?: string;
  /** Default `['local', 'pyodide']`. */
  readonly sandboxes?: readonly TrajectorySandbox[];
  /** Only trajectories whose id contains this. */
  readonly filter?: string;
  /** Only the first N trajectories (id order, after the filter). */
  readonly limit?: number;
  /** CLI runs at once. Default 2. */
  readonly concurrency?: number;
  /** A run is killed after this long (then classified `error`). Default 300 000 ms. */
  readonly runTimeoutMs?: number;
  /** The CLI script. Default `$RLMS_CLI` or `packages/rlms/dist/cli.js`. */
  readonly cliPath?: string;
  /** Save each rlms result (`--json` output, with its trajectory) as `<dir>/<sandbox>/<id>.json`. */
  readonly saveRunsDir?: string;
  /** The command line to record. */
  readonly command?: string;
  /** Progress lines. Default: none. */
  readonly log?: (line: string) => void;
}

/** The replay of one trajectory on one sandbox. */
export interface TrajectoryReplayResult {
  readonly id: string;
  readonly model: string;
  readonly sandbox: TrajectorySandbox;
  readonly outcomeClass: OutcomeClass;
  readonly summary: string;
  readonly equivalence?: string;
  readonly cause?: Cause;
  readonly firstDivergence?: Divergence;
  readonly real: { readonly how: string; readonly endKind: string; readonly turn: number; readonly answer: string };
  readonly rlms: RlmsOutcome;
  readonly replay: { readonly rootServed: number; readonly closingCalled: boolean; readonly subcalls: number; readonly subcallsUnmatched: number; readonly truncatedReplies: number };
  readonly exitCode: number | null;
  readonly durationMs: number;
}

/** Counts for one sandbox. */
export interface SandboxSummary {
  readonly sandbox: TrajectorySandbox;
  readonly durationMs: number;
  readonly trajectories: number;
  /** Trajectories whose capture is complete. */
  readonly complete: number;
  /** `same` + `equivalent` + `better` (complete captures only). */
  readonly asRealOrBetter: number;
  readonly counts: Readonly<Record<OutcomeClass, number>>;
  /** Cause code → count, over complete captures not `same`/`equivalent`. */
  readonly causes: Readonly<Partial<Record<CauseCode, number>>>;
  /** Cause code of the first divergent turn → count, over all complete captures (also those that ended the same). */
  readonly firstDivergences: Readonly<Partial<Record<CauseCode, number>>>;
}

/** The whole run (`bench/results/trajectories.json`). */
export interface TrajectoriesReport {
  readonly generatedAt: string;
  readonly command: string;
  readonly corpus: string;
  readonly cli: string;
  readonly durationMs: number;
  readonly summaries: readonly SandboxSummary[];
  readonly results: readonly TrajectoryReplayResult[];
}

const ANSWER_CHARS = 200;

/** Replays one trajectory on one sandbox. Never throws: failures are `error` results. */
export async function replayTrajectory(
  trajectory: RealTrajectory,
  sandbox: TrajectorySandbox,
  options: { readonly cliPath: string; readonly runTimeoutMs: number; readonly saveRunsDir?: string },
): Promise<TrajectoryReplayResult> {
  const server = await startReplayServer(trajectory, { model: trajectory.model });
  let run;
  try {
    run = await runRlmsCli({
      cliPath: options.cliPath,
      question: trajectory.question,
      context: trajectory.context,
      baseURL: server.baseURL,
      model: trajectory.model,
      sandbox,
      maxIterations: trajectory.reference.max_iterations,
      timeoutMs: options.runTimeoutMs,
    });
  } finally {
    await server.close();
  }
  if (options.saveRunsDir !== undefined && run.stdout !== '') {
    await mkdir(join(options.saveRunsDir, sandbox), { recursive: true });
    await writeFile(join(options.saveRunsDir, sandbox, `${trajectory.id}.json`), `${run.stdout}\n`, 'utf8');
  }
  const real = realOutcome(trajectory);
  const rlms = rlmsOutcome(run);
  const classification = classify(real, rlms, server.log);
  const { cause, firstDivergence } = diagnose({ trajectory, real, rlms, classification, steps: run.json?.trajectory?.steps ?? [], log: server.log });
  return {
    id: trajectory.id,
    model: trajectory.model,
    sandbox,
    outcomeClass: classification.outcomeClass,
    summary: classification.summary,
    ...(classification.equivalence === undefined ? {} : { equivalence: classification.equivalence }),
    ...(cause === undefined ? {} : { cause }),
    ...(firstDivergence === undefined ? {} : { firstDivergence }),
    real: { how: trajectory.real_end.how, endKind: real.endKind, turn: real.turn, answer: real.answer.slice(0, ANSWER_CHARS) },
    rlms: { ...rlms, answer: rlms.answer.slice(0, ANSWER_CHARS) },
    replay: {
      rootServed: server.log.rootServed,
      closingCalled: server.log.closingCalled,
      subcalls: server.log.subcalls.length,
      subcallsUnmatched: server.log.subcalls.filter((subcall) => subcall.matched === 'none').length,
      truncatedReplies: server.log.truncatedReplies.length,
    },
    exitCode: run.exitCode,
    durationMs: run.durationMs,
  };
}

async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** Counts per class and cause for one sandbox's results. */
export function summarise(sandbox: TrajectorySandbox, results: readonly TrajectoryReplayResult[], durationMs: number): SandboxSummary {
  const counts = Object.fromEntries(OUTCOME_CLASSES.map((name) => [name, 0])) as Record<OutcomeClass, number>;
  const causes: Partial<Record<CauseCode, number>> = {};
  const firstDivergences: Partial<Record<CauseCode, number>> = {};
  for (const result of results) {
    counts[result.outcomeClass] += 1;
    if (result.outcomeClass === 'incomplete-capture') continue;
    const first = result.firstDivergence?.cause.code;
    if (first !== undefined) firstDivergences[first] = (firstDivergences[first] ?? 0) + 1;
    if (result.outcomeClass === 'same' || result.outcomeClass === 'equivalent') continue;
    const code = result.cause?.code ?? 'unknown';
    causes[code] = (causes[code] ?? 0) + 1;
  }
  const complete = results.length - counts['incomplete-capture'];
  const asRealOrBetter = results.filter((result) => AS_REAL_OR_BETTER.has(result.outcomeClass)).length;
  return { sandbox, durationMs, trajectories: results.length, complete, asRealOrBetter, counts, causes, firstDivergences };
}

/**
 * Replays the corpus on each sandbox (one sandbox after the other, `concurrency` runs at once) and
 * returns the report. Throws an `Error` when the corpus folder or the built CLI is missing.
 */
export async function runTrajectories(options: TrajectoriesOptions = {}): Promise<TrajectoriesReport> {
  const directory = options.directory ?? corpusDirectory();
  const cliPath = options.cliPath ?? rlmsCliPath();
  assertCliBuilt(cliPath);
  const trajectories = await loadCorpus(directory, { ...(options.filter === undefined ? {} : { filter: options.filter }), ...(options.limit === undefined ? {} : { limit: options.limit }) });
  if (trajectories.length === 0) throw new RangeError(`No trajectory id contains "${options.filter}" in ${directory}/corpus.`);
  const log = options.log ?? (() => undefined);
  const stale = staleCliNote(cliPath);
  if (stale !== undefined) log(`trajectories: note: ${stale}`);
  const runTimeoutMs = options.runTimeoutMs ?? 300_000;
  const started = Date.now();
  const summaries: SandboxSummary[] = [];
  const results: TrajectoryReplayResult[] = [];
  for (const sandbox of options.sandboxes ?? TRAJECTORY_SANDBOXES) {
    const sandboxStarted = Date.now();
    let done = 0;
    const sandboxResults = await pool(trajectories, options.concurrency ?? 2, async (trajectory) => {
      const result = await replayTrajectory(trajectory, sandbox, { cliPath, runTimeoutMs, ...(options.saveRunsDir === undefined ? {} : { saveRunsDir: options.saveRunsDir }) });
      done += 1;
      const cause = result.cause === undefined ? '' : ` · ${result.cause.code}: ${snippet(result.cause.detail, 80)}`;
      log(`trajectories [${sandbox} ${done}/${trajectories.length}] ${result.id}: ${result.outcomeClass}${cause}`);
      return result;
    });
    summaries.push(summarise(sandbox, sandboxResults, Date.now() - sandboxStarted));
    results.push(...sandboxResults);
  }
  return {
    generatedAt: new Date(started).toISOString(),
    command: options.command ?? 'pnpm bench trajectories',
    corpus: directory,
    cli: cliPath,
    durationMs: Date.now() - started,
    summaries,
    results,
  };
}
