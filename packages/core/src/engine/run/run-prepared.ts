/**
 * Running one query (or one session turn) on a run tree: the options of a query, and the machinery
 * `createRLM` and sessions share. Its own file so `create-rlm.ts` and `rlm-session.ts` need not import
 * each other.
 */
import { ConfigurationError } from '../../errors/errors.js';
import { Budget } from '../accounting/budget.js';
import { prepareContext, type ContextInput, type PreparedContext } from '../prompt/context.js';
import type { RLMEvent } from '../api/events.js';
import type { ResolvedSettings } from '../api/resolve-settings.js';
import type { RLMResult } from '../api/result.js';
import { executeDirectRun } from './direct-run.js';
import { RUN_MODES, type RunMode } from '../api/run-mode.js';
import { executeRun, type PersistentSession } from './run.js';
import type { ExtraContext } from './run-repl.js';
import type { RunTree } from './run-tree.js';
import { Semaphore } from './semaphore.js';
import { saveTrajectory } from '../record/trajectory.js';
import { UsageTracker } from '../accounting/usage.js';
import { verifyQuotes } from '../answer/verify-quotes.js';
import { createTelemetryListener } from '../record/telemetry.js';
import type { AnswerSchema, InferSchema } from '../schema/schema.js';

/** The answer type of a query: the schema's output type, or `string` without a schema. */
export type AnswerOf<S> = S extends AnswerSchema ? InferSchema<S> : string;

/** Options of one query. */
export interface RLMQueryOptions<S extends AnswerSchema | undefined = undefined> {
  /** The input, loaded as `context` in the REPL (or rendered into the prompt of a direct run). */
  readonly context: ContextInput;
  /** What to answer. */
  readonly question: string;
  /**
   * How to answer. `'rlm'` (default): an RLM run in the sandbox. `'direct'`: one plain call to the
   * root model with the whole context in the prompt (`renderContext`, `DIRECT_SYSTEM_PROMPT`); the
   * sandbox is not used. Both run on the same run tree: budgets, `timeoutMs`, abort, retries,
   * cache, usage, events (`run-start` carries the mode), telemetry, trajectory and result. A direct
   * run takes no `schema` (`ConfigurationError`): structured answers are validated in the REPL.
   */
  readonly mode?: RunMode;
  /** Aborts the run: the result has status `aborted` and the sandbox is freed. */
  readonly abortSignal?: AbortSignal;
  /** Writes the trajectory JSON here when the run ends (whatever its status). */
  readonly saveTrajectory?: string;
  /** Receives every event of the run tree as it happens. Errors it throws are ignored. */
  readonly onEvent?: (event: RLMEvent) => void;
  /**
   * Expected shape of the answer: a zod (v4) or other Standard Schema, or a JSON Schema. The FINAL value
   * is validated on the host; a mismatch is sent back to the model to fix (`maxSchemaRetries` times),
   * then the run ends with status `error` and an `AnswerValidationError`. `result.answer` is typed.
   */
  readonly schema?: S;
  /**
   * Checks every quoted span of the answer against the context (exact, then whitespace-normalised)
   * and returns `result.citations` with each match's document and offset, and the quotes not found.
   * Default `false`.
   */
  readonly verifyQuotes?: boolean;
}

let treeCounter = 0;

/** What a session turn adds to a plain query. */
export interface RunExtras {
  readonly persistent?: PersistentSession;
  readonly setupCode?: string;
  readonly note?: string;
  /** Contexts of later session turns, each under its own variable (`context_1`…). */
  readonly extraContexts?: readonly ExtraContext[];
  /** Time spent preparing the context, in ms (recorded in the trajectory's `timings`). */
  readonly prepareMs?: number;
}

/** Runs one query (or one session turn): builds the run tree, runs the root, saves the trajectory. */
export async function runQuery(
  resolved: ResolvedSettings,
  options: RLMQueryOptions<AnswerSchema | undefined>,
  extras: RunExtras,
): Promise<RLMResult<unknown>> {
  if (typeof options.question !== 'string' || options.question.trim().length === 0) {
    throw new ConfigurationError('`question` must be a non-empty string.', { code: 'missing-question' });
  }
  const started = performance.now();
  const context = prepareContext(options.context);
  return runPrepared(resolved, options, context, { ...extras, prepareMs: performance.now() - started });
}

/** Refuses an unknown `mode`, and `mode: 'direct'` with a `schema` or in a session. */
function checkMode(options: { readonly mode?: unknown; readonly schema?: unknown }, extras: RunExtras): void {
  if (options.mode !== undefined && !RUN_MODES.includes(options.mode as RunMode)) {
    throw new ConfigurationError(`\`mode\` must be ${RUN_MODES.map((mode) => `"${mode}"`).join(' or ')}; got ${JSON.stringify(options.mode)}.`, { code: 'invalid-setting' });
  }
  if (options.mode === 'direct' && options.schema !== undefined) {
    throw new ConfigurationError('A `schema` needs an RLM run (the REPL validates structured answers): use mode "rlm", or drop `schema`.', { code: 'invalid-setting' });
  }
  if (options.mode === 'direct' && extras.persistent !== undefined) {
    throw new ConfigurationError('A session turn is an RLM run (it keeps the REPL): ask direct questions with rlm.query({ mode: "direct" }).', { code: 'invalid-setting' });
  }
}

/** Like `runQuery` with the context already prepared (sessions prepare it once). */
export async function runPrepared(
  resolved: ResolvedSettings,
  options: Omit<RLMQueryOptions<AnswerSchema | undefined>, 'context'>,
  context: PreparedContext,
  extras: RunExtras,
): Promise<RLMResult<unknown>> {
  checkMode(options, extras);
  const userController = new AbortController();
  const forwardAbort = () => userController.abort(options.abortSignal?.reason);
  if (options.abortSignal?.aborted) forwardAbort();
  options.abortSignal?.addEventListener('abort', forwardAbort, { once: true });
  const deadline = resolved.timeoutMs === undefined ? undefined : Date.now() + resolved.timeoutMs;
  const timeoutSignal = resolved.timeoutMs === undefined ? undefined : AbortSignal.timeout(resolved.timeoutMs);
  const signal = timeoutSignal === undefined ? userController.signal : AbortSignal.any([userController.signal, timeoutSignal]);
  const usage = new UsageTracker();
  const childSlots = new Map<number, Semaphore>();
  const treeId = (++treeCounter).toString(36);
  const telemetry = resolved.telemetry === false ? undefined : createTelemetryListener(resolved.telemetry?.tracer);
  let ids = 0;
  const tree: RunTree = {
    settings: resolved,
    usage,
    budget: new Budget(
      {
        ...(resolved.maxTotalTokens === undefined ? {} : { maxTotalTokens: resolved.maxTotalTokens }),
        ...(resolved.maxCostUsd === undefined ? {} : { maxCostUsd: resolved.maxCostUsd }),
        maxSubcalls: resolved.maxSubcalls,
        ...(deadline === undefined ? {} : { deadline }),
      },
      userController.signal,
    ),
    semaphore: new Semaphore(resolved.maxSubcallConcurrency),
    childSlots: (depth) => {
      let slots = childSlots.get(depth);
      if (slots === undefined) childSlots.set(depth, (slots = new Semaphore(resolved.maxSubcallConcurrency)));
      return slots;
    },
    userSignal: userController.signal,
    signal,
    emit: (event) => {
      // A listener's failure must not break the run, nor keep the other listener from the event.
      for (const listener of [telemetry, options.onEvent]) {
        try {
          listener?.(event);
        } catch {
          // ignored
        }
      }
    },
    subcalls: 0,
    inFlight: 0,
    cacheHits: 0,
    nextId: (prefix) => `${prefix}_${treeId}_${(++ids).toString(36)}`,
  };
  try {
    const result =
      options.mode === 'direct'
        ? await executeDirectRun(tree, { question: options.question, context, signal })
        : await executeRun(tree, {
            question: options.question,
            context,
            depth: 0,
            signal,
            ...(options.schema === undefined ? {} : { schema: options.schema }),
            ...extras,
          });
    const checked =
      options.verifyQuotes === true && context.value !== undefined
        ? { ...result, citations: verifyQuotes(typeof result.answer === 'string' ? result.answer : JSON.stringify(result.answer) ?? '', context.value) }
        : result;
    if (options.saveTrajectory !== undefined) await saveTrajectory(checked.trajectory, options.saveTrajectory);
    return checked;
  } finally {
    options.abortSignal?.removeEventListener('abort', forwardAbort);
  }
}
