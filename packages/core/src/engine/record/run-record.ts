import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { PreparedContext } from '../prompt/context.js';
import { LimitLog } from '../accounting/limit-log.js';
import type { RLMResult, RunStatus } from '../api/result.js';
import type { RunMode } from '../api/run-mode.js';
import { modelKey, type RunTree } from '../run/run-tree.js';
import type { RunClock } from './run-timings.js';
import { TRAJECTORY_VERSION, type Trajectory, type TrajectorySubcall } from './trajectory.js';
import { TrajectoryTexts } from './trajectory-text.js';
import { UsageTracker } from '../accounting/usage.js';

/** How a run ended: what its result and trajectory say. */
export interface RunOutcome {
  status: RunStatus;
  answer: string;
  answerValue?: unknown;
  /** The schema-validated value, when the query has a schema and the answer matched it. */
  typed?: { value: unknown };
  detail?: string;
  error?: Error;
}

/** What a run counts for itself; a child's counts also reach its parent's. */
export interface RunAccounts {
  readonly usage: UsageTracker;
  readonly subcalls: { count: number; readonly parent?: RunAccounts['subcalls'] };
  /** Limits that refused a sub-call or cut a stored text. */
  readonly limits: LimitLog;
}

/** The accounts of a new run: the tree's own for a root run, children of `parent`'s for a child run. */
export function openAccounts(tree: RunTree, parent: RunAccounts | undefined): RunAccounts {
  return parent === undefined
    ? { usage: tree.usage, subcalls: { count: 0 }, limits: new LimitLog() }
    : { usage: new UsageTracker(parent.usage), subcalls: { count: 0, parent: parent.subcalls }, limits: new LimitLog(parent.limits) };
}

/** What a run's record starts from. */
export interface RunRecordInit {
  readonly mode: RunMode;
  readonly question: string;
  readonly context: PreparedContext;
  readonly depth: number;
  readonly parentRunId?: string;
  readonly systemPrompt: string;
  /** The sandbox named in the trajectory: `'none'` for a direct run. */
  readonly sandbox: string;
  readonly accounts: RunAccounts;
  /** The run's root model when it is not `settings.model` (a child started with `rlm_query(p, model=…)`). */
  readonly model?: ModelProviderV1;
}

/**
 * The record of one run (root or child, either mode): its id, trajectory and accounts. Creating it
 * emits `run-start`; {@link RunRecord.finish} builds the result, stores it in the trajectory and
 * emits `run-end`. Every text stored goes through {@link RunRecord.texts} (capped at
 * `maxTrajectoryTextChars`).
 */
export class RunRecord {
  readonly runId: string;
  readonly started = Date.now();
  readonly trajectory: Trajectory;
  readonly texts: TrajectoryTexts;
  /** Sub-calls that ended while no step's cells were running; the last step gets them at the end. */
  readonly orphanSubcalls: TrajectorySubcall[] = [];

  constructor(
    private readonly tree: RunTree,
    private readonly init: RunRecordInit,
  ) {
    const { settings } = tree;
    const { accounts, depth } = init;
    this.runId = tree.nextId('run');
    this.texts = new TrajectoryTexts(settings.maxTrajectoryTextChars, () => accounts.limits.record('maxTrajectoryTextChars', settings.maxTrajectoryTextChars));
    const model = modelKey(init.model ?? settings.model);
    this.trajectory = {
      version: TRAJECTORY_VERSION,
      runId: this.runId,
      mode: init.mode,
      depth,
      startedAt: this.started,
      question: this.texts.text(init.question),
      model,
      subModel: init.mode === 'direct' ? model : modelKey(settings.subModel),
      sandbox: init.sandbox,
      systemPrompt: this.texts.text(init.systemPrompt),
      context: { metadata: init.context.metadata, ...storedContext(settings.trajectoryIncludesContext ? init.context.value : undefined, depth, this.texts) },
      steps: [],
    };
    tree.emit({
      type: 'run-start',
      ...this.base(),
      mode: init.mode,
      question: init.question,
      context: init.context.metadata,
      ...(init.parentRunId === undefined ? {} : { parentRunId: init.parentRunId }),
    });
  }

  /** The fields every event of this run carries. */
  base(): { runId: string; depth: number; timestamp: number } {
    return { runId: this.runId, depth: this.init.depth, timestamp: Date.now() };
  }

  /**
   * Ends the run: builds its result from `outcome`, stores it (and the phase timings of `clock`, for
   * an RLM run) in the trajectory, emits `run-end`.
   */
  finish(outcome: RunOutcome, iterations: number, clock?: RunClock): RLMResult<unknown> {
    const { accounts } = this.init;
    const steps = this.trajectory.steps;
    if (this.orphanSubcalls.length > 0 && steps.length > 0) steps.at(-1)!.subcalls.push(...this.orphanSubcalls);
    if (clock !== undefined) this.trajectory.timings = clock.finish(steps.flatMap((step) => step.subcalls));
    const texts = this.texts;
    const usage = accounts.usage.snapshot();
    const storedAnswer = texts.text(outcome.answer);
    const storedAnswerValue = texts.value(outcome.answerValue);
    const storedError = outcome.error === undefined ? undefined : texts.text(`${outcome.error.name}: ${outcome.error.message}`);
    const limitsReached = accounts.limits.list();
    const result: RLMResult<unknown> = {
      answer: outcome.typed !== undefined ? outcome.typed.value : outcome.answer,
      ...(outcome.answerValue === undefined ? {} : { answerValue: outcome.answerValue }),
      status: outcome.status,
      ...(outcome.detail === undefined ? {} : { statusDetail: outcome.detail }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      usage,
      costUsd: usage.total.costUsd,
      iterations,
      subcalls: accounts.subcalls.count,
      durationMs: Date.now() - this.started,
      cacheHits: this.tree.cacheHits,
      ...(limitsReached.length === 0 ? {} : { limitsReached }),
      trajectory: this.trajectory,
    };
    this.trajectory.result = {
      answer: storedAnswer,
      ...(storedAnswerValue === undefined ? {} : { answerValue: storedAnswerValue }),
      status: result.status,
      ...(result.statusDetail === undefined ? {} : { statusDetail: result.statusDetail }),
      ...(storedError === undefined ? {} : { error: storedError }),
      iterations,
      subcalls: result.subcalls,
      durationMs: result.durationMs,
      usage,
      costUsd: result.costUsd,
      ...(limitsReached.length === 0 ? {} : { limitsReached }),
    };
    this.tree.emit({ type: 'run-end', ...this.base(), result });
    return result;
  }
}

/**
 * The context value a trajectory stores: the root's as given (the caller's own input); a child's
 * (written by model code) capped like any other stored text.
 */
function storedContext(value: unknown, depth: number, texts: TrajectoryTexts): { value?: unknown } {
  if (value === undefined) return {};
  if (depth === 0) return { value };
  const stored = typeof value === 'string' ? texts.text(value) : texts.value(value);
  return stored === undefined ? {} : { value: stored };
}
