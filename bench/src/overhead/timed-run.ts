import { createRLM, type ContextInput, type ModelProviderV1, type RLMEvent, type RLMResult, type SandboxProviderV1 } from '@rlms/core';
import { coveredMs, intersectIntervals, preciseNow, type Interval } from '../util/intervals.js';
import { createIntervalLog, timeModel, timeSandbox, type IntervalLog, type SessionHooks } from './instrument.js';

/** Where the time of one root iteration went, in ms. */
export interface IterationTiming {
  readonly iteration: number;
  /** From `iteration-start` to the next `iteration-start` (the last: to `run-end`). */
  readonly windowMs: number;
  /** Waiting on model calls (root and sub-calls, overlaps once), as measured around `generate()`. */
  readonly modelMs: number;
  /** Session create, context load and destroy (reported apart, not per-iteration overhead). */
  readonly setupMs: number;
  /** Inside `session.execute()` but not waiting on a model: Python work, frames, host-call dispatch. */
  readonly sandboxMs: number;
  /** The rest: prompt building, parsing, budgets, events, trajectory, scheduling. */
  readonly engineMs: number;
  /** `sandboxMs + engineMs`: what the machinery costs in this iteration. */
  readonly overheadMs: number;
}

/** One instrumented run. */
export interface TimedRun {
  readonly result: RLMResult<unknown>;
  /** From the `query()` call to its promise resolving. */
  readonly wallMs: number;
  readonly window: Interval;
  readonly iterations: readonly IterationTiming[];
  /** Total session setup + teardown of the run. */
  readonly setupMs: number;
  readonly log: IntervalLog;
}

/** Options of {@link timedRun}. */
export interface TimedRunOptions {
  readonly sandbox: SandboxProviderV1;
  readonly model: ModelProviderV1;
  /** Default: `model`. */
  readonly subModel?: ModelProviderV1;
  readonly context: ContextInput;
  readonly question: string;
  /** Default 16. */
  readonly maxSubcallConcurrency?: number;
  /** Default 10. */
  readonly maxIterations?: number;
  /** Hooks around each sandbox session's life. */
  readonly sessionHooks?: SessionHooks;
}

/**
 * Runs one RLM query with the model(s) and the sandbox instrumented, and splits each root
 * iteration's wall time into model wait, session setup, sandbox work and engine work.
 * Event times are taken when the (synchronous) `onEvent` callback runs.
 */
export async function timedRun(options: TimedRunOptions): Promise<TimedRun> {
  const log = createIntervalLog();
  const model = timeModel(options.model, log);
  const subModel = options.subModel === undefined ? model : timeModel(options.subModel, log);
  const rlm = createRLM({
    model,
    subModel,
    sandbox: timeSandbox(options.sandbox, log, options.sessionHooks),
    maxSubcallConcurrency: options.maxSubcallConcurrency ?? 16,
    maxIterations: options.maxIterations ?? 10,
    trajectoryIncludesContext: false,
  });
  const iterationStarts: number[] = [];
  let runEnd = Number.NaN;
  const onEvent = (event: RLMEvent): void => {
    if (event.depth !== 0) return;
    if (event.type === 'iteration-start') iterationStarts.push(preciseNow());
    else if (event.type === 'run-end') runEnd = preciseNow();
  };
  const start = preciseNow();
  const result = await rlm.query({ context: options.context, question: options.question, onEvent });
  const end = preciseNow();
  if (Number.isNaN(runEnd)) runEnd = end;
  const iterations: IterationTiming[] = iterationStarts.map((iterationStart, index) => {
    const window = { start: iterationStart, end: iterationStarts[index + 1] ?? runEnd };
    const windowMs = window.end - window.start;
    const modelMs = coveredMs(log.model, window);
    const setupMs = coveredMs(log.setup, window);
    const executeMs = coveredMs(log.execute, window);
    const executeWaitingMs = coveredMs(intersectIntervals(log.execute, log.model), window);
    const sandboxMs = Math.max(0, executeMs - executeWaitingMs);
    const engineMs = Math.max(0, windowMs - modelMs - setupMs - sandboxMs);
    return { iteration: index + 1, windowMs, modelMs, setupMs, sandboxMs, engineMs, overheadMs: sandboxMs + engineMs };
  });
  return {
    result,
    wallMs: end - start,
    window: { start, end },
    iterations,
    setupMs: coveredMs(log.setup, { start, end }),
    log,
  };
}
