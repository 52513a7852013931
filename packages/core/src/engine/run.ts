import { AnswerValidationError, isAbortError } from '../errors/errors.js';
import type { ChatMessage } from '../spec/model-provider-v1.js';
import { parseResponse } from './code-blocks.js';
import { prepareContext, type PreparedContext } from './context.js';
import { readClosingAnswer } from './closing-answer.js';
import { formatExecution, formatInterruptedSubcalls } from './format-observation.js';
import { createHostBridge } from './host-calls.js';
import { BudgetStop, callModel } from './model-call.js';
import {
  NUDGE_NO_CODE,
  NUDGE_UNTERMINATED,
  buildFinalAnswerRequest,
  buildMetadataMessage,
  buildSystemPrompt,
} from './prompts.js';
import type { RLMResult, RunStatus } from './result.js';
import { modelKey, type RunTree } from './run-tree.js';
import { checkSchema, type AnswerSchema } from './schema.js';
import { TRAJECTORY_VERSION, type Trajectory, type TrajectoryStep } from './trajectory.js';
import { UsageTracker } from './usage.js';
import { LimitLog } from './limit-log.js';
import { TrajectoryTexts } from './trajectory-text.js';
import { windowCapacityChars } from './subcall-guards.js';
import { RunRepl, type PersistentSession } from './run-repl.js';

/** What ends a run's loop. */
interface Outcome {
  status: RunStatus;
  answer: string;
  answerValue?: unknown;
  /** The schema-validated value, when the query has a schema and the answer matched it. */
  typed?: { value: unknown };
  detail?: string;
  error?: Error;
}

export interface RunInput {
  readonly question: string;
  readonly context: PreparedContext;
  readonly depth: number;
  readonly parentRunId?: string;
  /** Aborts this run (children get their parent's signal). */
  readonly signal: AbortSignal;
  /** Expected shape of the final answer (root runs only). */
  readonly schema?: AnswerSchema;
  /** A sandbox session that outlives the run (multi-turn sessions); the run neither creates it twice nor destroys it. */
  readonly persistent?: PersistentSession;
  /** Python run once per run before the model's first cell (e.g. defining `history`). */
  readonly setupCode?: string;
  /** Appended to the first user message (e.g. "this is turn 3…"). */
  readonly note?: string;
  /** The parent run's usage tracker and sub-call counter (child runs only). */
  readonly parent?: RunAccounts;
}

/** What a run counts for itself; a child's counts also reach its parent's. */
export interface RunAccounts {
  readonly usage: UsageTracker;
  readonly subcalls: { count: number; readonly parent?: RunAccounts['subcalls'] };
  /** Limits that refused a sub-call or cut a stored text. */
  readonly limits: LimitLog;
}

/** Time the closing "answer now" call may take after a timeout. */
const FINAL_ANSWER_GRACE_MS = 60_000;

/**
 * Runs one RLM (root or child) to its end. Never throws for model, sandbox or budget failures:
 * the result's `status` says what happened. The sandbox session is always destroyed.
 */
export { ForwardingHostBridge, type PersistentSession } from './run-repl.js';

export async function executeRun(tree: RunTree, input: RunInput): Promise<RLMResult<unknown>> {
  const { settings } = tree;
  const runId = tree.nextId('run');
  const started = Date.now();
  const depth = input.depth;
  const recursive = depth + 1 < settings.maxDepth;
  const capacity = windowCapacityChars(settings.subModel);
  const systemPrompt =
    settings.systemPrompt ??
    buildSystemPrompt({
      style: settings.promptStyle,
      recursive,
      subModelNames: Object.keys(settings.subModels ?? {}),
      tools: settings.tools,
      ...(input.schema === undefined ? {} : { answerSchema: input.schema }),
      ...(capacity === undefined ? {} : { subModelCapacityChars: capacity }),
    });
  const accounts: RunAccounts =
    input.parent === undefined
      ? { usage: tree.usage, subcalls: { count: 0 }, limits: new LimitLog() }
      : { usage: new UsageTracker(input.parent.usage), subcalls: { count: 0, parent: input.parent.subcalls }, limits: new LimitLog(input.parent.limits) };
  const texts = new TrajectoryTexts(settings.maxTrajectoryTextChars, () => accounts.limits.record('maxTrajectoryTextChars', settings.maxTrajectoryTextChars));
  const trajectory: Trajectory = {
    version: TRAJECTORY_VERSION,
    runId,
    depth,
    startedAt: started,
    question: texts.text(input.question),
    model: modelKey(settings.model),
    subModel: modelKey(settings.subModel),
    sandbox: settings.sandbox.name,
    systemPrompt: texts.text(systemPrompt),
    context: { metadata: input.context.metadata, ...storedContext(settings.trajectoryIncludesContext ? input.context.value : undefined, depth, texts) },
    steps: [],
  };
  const emitBase = () => ({ runId, depth, timestamp: Date.now() });
  tree.emit({ type: 'run-start', ...emitBase(), question: input.question, context: input.context.metadata, ...(input.parentRunId === undefined ? {} : { parentRunId: input.parentRunId }) });

  let currentStep: TrajectoryStep | undefined;
  const orphanSubcalls: TrajectoryStep['subcalls'] = [];
  const host = createHostBridge({
    tree,
    runId,
    depth,
    record: (subcall) => (currentStep?.subcalls ?? orphanSubcalls).push(subcall),
    usage: accounts.usage,
    limits: accounts.limits,
    texts,
    countSubcall: () => {
      for (let counter: RunAccounts['subcalls'] | undefined = accounts.subcalls; counter !== undefined; counter = counter.parent) counter.count++;
    },
    startChild: async (prompt, context, signal) => {
      const child = await executeRun(tree, { question: prompt, context: prepareContext(context as never), depth: depth + 1, parentRunId: runId, signal, parent: accounts });
      return {
        answer: String(child.answer),
        trajectory: child.trajectory,
        ...(child.status === 'completed' ? {} : { error: child.statusDetail ?? child.status }),
      };
    },
  });

  const repl = new RunRepl({
    settings,
    budget: tree.budget,
    host,
    context: input.context,
    signal: input.signal,
    ...(input.persistent === undefined ? {} : { persistent: input.persistent }),
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.setupCode === undefined ? {} : { setupCode: input.setupCode }),
    onRestart: (reason) => tree.emit({ type: 'sandbox-restart', ...emitBase(), reason }),
  });
  const execute = (code: string) => repl.execute(code);

  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt },
    { role: 'user', content: buildMetadataMessage(input.context.metadata, input.question) + (input.note === undefined ? '' : `\n\n${input.note}`) },
  ];
  let iterations = 0;
  let outcome: Outcome | undefined;
  let schemaFailures = 0;

  /** Accepts a final answer, or returns the feedback asking the model to fix it (schema mismatch). */
  const acceptFinal = async (text: string, value: unknown): Promise<Outcome | string> => {
    const base = { status: 'completed' as const, answer: text, ...(value === undefined ? {} : { answerValue: value }) };
    if (input.schema === undefined) return base;
    const check = await checkSchema(input.schema, parseMaybeJson(value ?? text));
    if (check.ok) return { ...base, typed: { value: check.value } };
    schemaFailures++;
    if (schemaFailures > settings.maxSchemaRetries) {
      const message = `The answer did not match the schema after ${schemaFailures} tries: ${check.issues.join('; ')}`;
      return { ...base, status: 'error', detail: message, error: new AnswerValidationError(message, { issues: check.issues }) };
    }
    return `Your final answer does not match the required shape:\n- ${check.issues.join('\n- ')}\nFix the value and call FINAL again (structured data, not a JSON string).`;
  };

  const finishEarly = async (status: 'max_iterations' | 'budget_exhausted' | 'timeout', detail: string): Promise<Outcome> => {
    tree.emit({ type: 'budget-exhausted', ...emitBase(), reason: status, detail });
    const stepStart = Date.now();
    const request = buildFinalAnswerRequest(detail);
    const signal = status === 'timeout' ? AbortSignal.any([tree.userSignal, AbortSignal.timeout(FINAL_ANSWER_GRACE_MS)]) : input.signal;
    try {
      const { response, costUsd } = await callModel(tree, {
        usage: accounts.usage,
        model: settings.model,
        messages: [...messages, { role: 'user', content: request }],
        depth,
        signal,
        ignoreBudget: true,
        ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
      });
      const { answer } = await readClosingAnswer(response.text, repl.session, signal);
      trajectory.steps.push({
        iteration: iterations + 1,
        kind: 'final-answer',
        startedAt: stepStart,
        durationMs: Date.now() - stepStart,
        action: { response: texts.text(response.text), code: [], usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
        observation: { executions: [], feedback: texts.text(request) },
        subcalls: [],
      });
      if (input.schema !== undefined) {
        const check = await checkSchema(input.schema, parseMaybeJson(answer));
        if (check.ok) return { status, answer, detail, answerValue: parseMaybeJson(answer), typed: { value: check.value } };
      }
      return { status, answer, detail };
    } catch (error) {
      // The deadline also aborts input.signal: only the caller's abort makes this an abort.
      if (tree.userSignal.aborted || (input.signal.aborted && status !== 'timeout')) {
        return { status: 'aborted', answer: '', detail: 'aborted during the closing answer call' };
      }
      return { status, answer: '', detail: `${detail}; the closing answer call failed: ${(error as Error).message}` };
    }
  };

  try {
    while (outcome === undefined) {
      const stop = tree.budget.check();
      if (stop === 'aborted') {
        outcome = { status: 'aborted', answer: '', detail: 'The run was aborted.' };
        break;
      }
      if (stop !== undefined) {
        outcome = await finishEarly(stop, stop === 'timeout' ? `the time limit (${settings.timeoutMs} ms) was reached` : tree.budget.detail);
        break;
      }
      if (iterations >= settings.maxIterations) {
        outcome = await finishEarly('max_iterations', `maxIterations (${settings.maxIterations}) was reached`);
        break;
      }
      iterations++;
      tree.emit({ type: 'iteration-start', ...emitBase(), iteration: iterations });
      const stepStart = Date.now();
      let call;
      try {
        call = await callModel(tree, {
          usage: accounts.usage,
          model: settings.model,
          messages,
          depth,
          signal: input.signal,
          ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
          ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
        });
      } catch (error) {
        if (error instanceof BudgetStop) {
          iterations--;
          continue;
        }
        throw error;
      }
      const { response, costUsd } = call;
      tree.emit({ type: 'model-response', ...emitBase(), iteration: iterations, model: modelKey(settings.model), cached: call.cached === true, text: response.text, usage: response.usage, costUsd, durationMs: call.durationMs, totalUsage: tree.usage.snapshot() });
      const parsed = parseResponse(response.text);
      const step: TrajectoryStep = {
        iteration: iterations,
        kind: 'iteration',
        startedAt: stepStart,
        durationMs: 0,
        action: { response: texts.text(response.text), code: parsed.blocks.map((block) => texts.text(block)), usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
        observation: { executions: [], feedback: '' },
        subcalls: [],
      };
      currentStep = step;
      trajectory.steps.push(step);
      messages.push({ role: 'assistant', content: response.text });
      const feedback: string[] = [];

      if (parsed.blocks.length === 0) {
        if (parsed.unterminated) feedback.push(NUDGE_UNTERMINATED);
        else if (parsed.textFinal?.kind === 'FINAL') {
          const accepted = await acceptFinal(parsed.textFinal.value, undefined);
          if (typeof accepted === 'string') feedback.push(accepted);
          else outcome = accepted;
        } else if (parsed.textFinal?.kind === 'FINAL_VAR') {
          const { result, restartNote } = await execute(`FINAL_VAR(${JSON.stringify(parsed.textFinal.name)})`);
          if (result?.final !== undefined) {
            const accepted = await acceptFinal(result.final.text, result.final.value);
            if (typeof accepted === 'string') feedback.push(accepted);
            else outcome = accepted;
          } else feedback.push(restartNote ?? formatExecution(result!, 0, 1, settings.maxOutputChars));
        } else feedback.push(NUDGE_NO_CODE);
      } else {
        for (const [index, code] of parsed.blocks.entries()) {
          tree.emit({ type: 'code-execution-start', ...emitBase(), iteration: iterations, block: index, code });
          const subcallsBefore = step.subcalls.length;
          const { result, restartNote } = await execute(code);
          if (result === undefined) {
            feedback.push(restartNote!);
            break;
          }
          step.observation.executions.push(texts.execution(code, result));
          tree.emit({ type: 'code-execution-end', ...emitBase(), iteration: iterations, block: index, result });
          feedback.push(formatExecution(result, index, parsed.blocks.length, settings.maxOutputChars));
          if (result.timedOut) {
            const note = formatInterruptedSubcalls(step.subcalls.slice(subcallsBefore));
            if (note !== undefined) feedback.push(note);
          }
          if (result.final !== undefined) {
            const accepted = await acceptFinal(result.final.text, result.final.value);
            if (typeof accepted === 'string') feedback.push(accepted);
            else outcome = accepted;
            break;
          }
          if (result.timedOut && input.signal.aborted) break;
        }
        if (outcome === undefined && parsed.unterminated) feedback.push(NUDGE_UNTERMINATED);
      }
      const feedbackText = feedback.join('\n\n');
      step.observation.feedback = texts.text(feedbackText);
      step.durationMs = Date.now() - stepStart;
      currentStep = undefined;
      if (outcome === undefined) messages.push({ role: 'user', content: feedbackText });
    }
  } catch (error) {
    if (tree.userSignal.aborted) outcome = { status: 'aborted', answer: '', detail: 'The run was aborted.' };
    else if (tree.budget.remainingMs() <= 0 && (input.signal.aborted || isAbortError(error))) {
      outcome = await finishEarly('timeout', `the time limit (${settings.timeoutMs} ms) was reached`);
    } else if (input.signal.aborted || isAbortError(error)) outcome = { status: 'aborted', answer: '', detail: 'The run was aborted.' };
    else outcome = { status: 'error', answer: '', detail: (error as Error).message, error: error as Error };
  } finally {
    currentStep = undefined;
    await repl.release();
  }

  if (orphanSubcalls.length > 0 && trajectory.steps.length > 0) trajectory.steps.at(-1)!.subcalls.push(...orphanSubcalls);
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
    durationMs: Date.now() - started,
    cacheHits: tree.cacheHits,
    ...(limitsReached.length === 0 ? {} : { limitsReached }),
    trajectory,
  };
  trajectory.result = {
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
  tree.emit({ type: 'run-end', ...emitBase(), result });
  return result;
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

/** Parses a string that holds JSON (a model answering with a JSON string); other values pass through. */
function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!/^[[{"]|^-?\d|^(true|false|null)$/.test(trimmed)) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}
