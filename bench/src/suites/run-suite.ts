import { createRLM, usageTokens, type ModelProviderV1, type PricingTable, type SandboxProviderV1 } from '@rlms/core';
import { preciseNow } from '../util/intervals.js';
import { median } from '../util/stats.js';
import { directPromptTokens, runDirectCall } from './direct-call.js';
import { getSuite } from './suites.js';
import type { Suite, SuiteId, SuiteTask } from './suite-types.js';

/** Options of {@link runSuite}. */
export interface RunSuiteOptions {
  /** A suite id or a suite object. */
  readonly suite: SuiteId | Suite;
  /** The root model (and the direct-call model). */
  readonly model: ModelProviderV1;
  /** Model for `llm_query`. Default: `model`. */
  readonly subModel?: ModelProviderV1;
  /** Where RLM code runs. Default: `@rlms/sandbox-local` (a host `python3`). */
  readonly sandbox?: SandboxProviderV1;
  /** Context sizes in tokens. Default: the suite's `defaultSizes` (capped by `maxSizeTokens`). */
  readonly sizes?: readonly number[];
  /** Tasks per size. Default 3. */
  readonly tasksPerSize?: number;
  /** Generator seed. Default 1. */
  readonly seed?: number;
  /**
   * Direct (vanilla) call with the whole context in the prompt:
   * `'auto'` (default) when the prompt fits in 90% of `model.contextWindowTokens` (or of
   * `directMaxTokens` when the window is unknown); `'always'`; `'never'`.
   */
  readonly direct?: 'auto' | 'always' | 'never';
  /** Token limit for direct calls when the model does not say its window. Default 128 000. */
  readonly directMaxTokens?: number;
  /** Root iterations per RLM run. Default 20. */
  readonly maxIterations?: number;
  /** Prices by model id, for providers that report no cost. */
  readonly pricing?: PricingTable;
  /** Stop each RLM run after this long, ms. Default 600 000. */
  readonly timeoutMs?: number;
  /** Progress lines (one per task). */
  readonly onProgress?: (line: string) => void;
}

/** Figures of one mode (RLM or direct) at one size. */
export interface ModeSummary {
  readonly tasks: number;
  /** Mean score (accuracy for exact suites, mean F1 for pair suites), 0..1. */
  readonly score: number;
  readonly correct: number;
  /** Sum of known costs in USD; `undefined` when no call had a known price. */
  readonly costUsd: number | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Model calls (root + sub-calls for the RLM). */
  readonly calls: number;
  /** Median wall time per task, ms. */
  readonly medianWallMs: number;
  readonly errors: number;
}

/** One size of a suite. */
export interface SuiteSizeRow {
  readonly sizeTokens: number;
  readonly rlm: ModeSummary;
  /** The direct call's figures, or why it was not run. */
  readonly direct: ModeSummary | { readonly skipped: string };
}

/** One task's outcome. */
export interface TaskOutcome {
  readonly taskId: string;
  readonly sizeTokens: number;
  readonly kind: string;
  readonly mode: 'rlm' | 'direct';
  readonly answer: string;
  readonly expected: unknown;
  readonly score: number;
  readonly correct: boolean;
  readonly totalTokens: number;
  readonly costUsd: number | undefined;
  readonly wallMs: number;
  /** RLM: the run's status; direct: `completed` or `error`. */
  readonly status: string;
  readonly error?: string;
}

/** The result of {@link runSuite}. */
export interface SuiteReport {
  readonly suite: SuiteId;
  readonly title: string;
  readonly metric: 'exact' | 'f1';
  readonly model: string;
  readonly subModel: string;
  readonly sandbox: string;
  readonly rows: readonly SuiteSizeRow[];
  readonly tasks: readonly TaskOutcome[];
}

function summarizeMode(outcomes: readonly (TaskOutcome & { calls: number; inputTokens: number; outputTokens: number })[]): ModeSummary {
  const costs = outcomes.map((outcome) => outcome.costUsd).filter((cost): cost is number => cost !== undefined);
  return {
    tasks: outcomes.length,
    score: outcomes.length === 0 ? 0 : outcomes.reduce((sum, outcome) => sum + outcome.score, 0) / outcomes.length,
    correct: outcomes.filter((outcome) => outcome.correct).length,
    costUsd: costs.length === 0 ? undefined : costs.reduce((sum, cost) => sum + cost, 0),
    inputTokens: outcomes.reduce((sum, outcome) => sum + outcome.inputTokens, 0),
    outputTokens: outcomes.reduce((sum, outcome) => sum + outcome.outputTokens, 0),
    totalTokens: outcomes.reduce((sum, outcome) => sum + outcome.totalTokens, 0),
    calls: outcomes.reduce((sum, outcome) => sum + outcome.calls, 0),
    medianWallMs: median(outcomes.map((outcome) => outcome.wallMs)),
    errors: outcomes.filter((outcome) => outcome.error !== undefined || (outcome.status !== 'completed' && outcome.mode === 'rlm')).length,
  };
}

function modelKey(model: ModelProviderV1): string {
  return `${model.provider}:${model.modelId}`;
}

/**
 * Runs a task suite against a model: for each size, generates tasks, answers each with an RLM
 * (context in the REPL) and, when the context fits the model, with one direct call (context in the
 * prompt), and scores both. Reports accuracy, tokens, cost and wall time per size and mode.
 *
 * @throws RangeError for an unknown suite id or an invalid size.
 */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteReport> {
  const suite = typeof options.suite === 'string' ? getSuite(options.suite) : options.suite;
  const requested = options.sizes ?? suite.defaultSizes.filter((size) => suite.maxSizeTokens === undefined || size <= suite.maxSizeTokens);
  for (const size of requested) {
    if (!Number.isInteger(size) || size < 100) throw new RangeError(`Invalid size ${size}: sizes are token counts of at least 100.`);
  }
  let sandbox = options.sandbox;
  let ownSandbox = false;
  if (sandbox === undefined) {
    const { createLocalSandbox } = await import('@rlms/sandbox-local');
    sandbox = createLocalSandbox();
    ownSandbox = true;
  }
  const subModel = options.subModel ?? options.model;
  const rlm = createRLM({
    model: options.model,
    subModel,
    sandbox,
    maxIterations: options.maxIterations ?? 20,
    timeoutMs: options.timeoutMs ?? 600_000,
    trajectoryIncludesContext: false,
    ...(options.pricing === undefined ? {} : { pricing: options.pricing }),
  });
  const directMode = options.direct ?? 'auto';
  const window = options.model.contextWindowTokens ?? options.directMaxTokens ?? 128_000;
  const rows: SuiteSizeRow[] = [];
  const all: TaskOutcome[] = [];
  try {
    for (const sizeTokens of requested) {
      const tasks: SuiteTask[] = suite.generate({ sizeTokens, count: options.tasksPerSize ?? 3, seed: options.seed ?? 1 });
      const rlmOutcomes: (TaskOutcome & { calls: number; inputTokens: number; outputTokens: number })[] = [];
      const directOutcomes: typeof rlmOutcomes = [];
      let skipped: string | undefined;
      for (const task of tasks) {
        const start = preciseNow();
        const result = await rlm.query({ context: task.context, question: task.question });
        const answer = String(result.answer);
        const scored = suite.score(task, answer);
        const outcome = {
          taskId: task.id,
          sizeTokens,
          kind: task.kind,
          mode: 'rlm' as const,
          answer,
          expected: task.expected,
          score: scored.score,
          correct: scored.correct,
          totalTokens: usageTokens(result.usage.total),
          inputTokens: result.usage.total.inputTokens,
          outputTokens: result.usage.total.outputTokens,
          calls: result.usage.total.calls,
          costUsd: result.costUsd,
          wallMs: preciseNow() - start,
          status: result.status,
          ...(result.status === 'completed' ? {} : { error: result.statusDetail ?? result.status }),
        };
        rlmOutcomes.push(outcome);
        options.onProgress?.(`${suite.id} ${task.id} rlm: ${scored.correct ? 'correct' : 'wrong'} (${result.status})`);
        const promptTokens = directPromptTokens(task);
        const runDirect = directMode === 'always' || (directMode === 'auto' && promptTokens <= window * 0.9);
        if (!runDirect) {
          skipped = directMode === 'never' ? 'direct calls disabled' : `prompt ~${promptTokens.toLocaleString('en-US')} tokens > 90% of the ${window.toLocaleString('en-US')}-token window`;
          continue;
        }
        const direct = await runDirectCall(options.model, task, options.pricing);
        const directScore = suite.score(task, direct.answer);
        directOutcomes.push({
          taskId: task.id,
          sizeTokens,
          kind: task.kind,
          mode: 'direct',
          answer: direct.answer,
          expected: task.expected,
          score: direct.error === undefined ? directScore.score : 0,
          correct: direct.error === undefined && directScore.correct,
          totalTokens: usageTokens(direct.usage),
          inputTokens: direct.usage.inputTokens ?? 0,
          outputTokens: direct.usage.outputTokens ?? 0,
          calls: 1,
          costUsd: direct.costUsd,
          wallMs: direct.wallMs,
          status: direct.error === undefined ? 'completed' : 'error',
          ...(direct.error === undefined ? {} : { error: direct.error }),
        });
        options.onProgress?.(`${suite.id} ${task.id} direct: ${directScore.correct ? 'correct' : 'wrong'}`);
      }
      rows.push({
        sizeTokens,
        rlm: summarizeMode(rlmOutcomes),
        direct: directOutcomes.length > 0 ? summarizeMode(directOutcomes) : { skipped: skipped ?? 'no task' },
      });
      all.push(...rlmOutcomes.map(({ calls: _calls, inputTokens: _in, outputTokens: _out, ...rest }) => rest));
      all.push(...directOutcomes.map(({ calls: _calls, inputTokens: _in, outputTokens: _out, ...rest }) => rest));
    }
  } finally {
    if (ownSandbox) await sandbox.close?.();
  }
  return {
    suite: suite.id,
    title: suite.title,
    metric: suite.metric,
    model: modelKey(options.model),
    subModel: modelKey(subModel),
    sandbox: sandbox.name,
    rows,
    tasks: all,
  };
}
