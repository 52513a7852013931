import { AnswerValidationError, isAbortError } from '../../errors/errors.js';
import type { ChatMessage, ModelProviderV1 } from '../../spec/model-provider-v1.js';
import { parseResponse } from '../answer/code-blocks.js';
import { prepareContext, type PreparedContext } from '../prompt/context.js';
import { readClosingAnswer } from '../answer/closing-answer.js';
import { Compactor } from '../prompt/compact-conversation.js';
import { isContextLengthError, shouldCompact } from '../prompt/compaction.js';
import { promptTokenEstimate } from '../accounting/token-bounds.js';
import { finalOfFailedBlock, resolveFinalAfterCode, resolveTextFinal, type TextFinalResolution } from '../answer/final-answer.js';
import { formatExecution, formatInterruptedSubcalls } from '../answer/format-observation.js';
import { createHostBridge } from './host-calls.js';
import { BudgetStop, callModel } from '../model/model-call.js';
import {
  NUDGE_NO_CODE,
  NUDGE_UNTERMINATED,
  buildFinalAnswerRequest,
  buildMetadataMessage,
  buildSystemPrompt,
} from '../prompt/prompts.js';
import type { RLMResult } from '../api/result.js';
import { openAccounts, RunRecord, type RunAccounts, type RunOutcome } from '../record/run-record.js';
import { modelKey, type RunTree } from './run-tree.js';
import { checkSchema, type AnswerSchema } from '../schema/schema.js';
import type { TrajectoryStep } from '../record/trajectory.js';
import { windowCapacityChars } from './subcall-guards.js';
import { RunRepl, type ExtraContext, type PersistentSession } from './run-repl.js';

export interface RunInput {
  readonly question: string;
  /** The root model of this run, when not `settings.model` (a child started with `rlm_query(p, model=…)`). */
  readonly model?: ModelProviderV1;
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
  /** Contexts of later session turns, loaded under their own variables (`context_1`…). */
  readonly extraContexts?: readonly ExtraContext[];
  /** The parent run's usage tracker and sub-call counter (child runs only). */
  readonly parent?: RunAccounts;
}

/** Time the closing "answer now" call may take after a timeout. */
const FINAL_ANSWER_GRACE_MS = 60_000;

export { ForwardingHostBridge, type PersistentSession } from './run-repl.js';

/**
 * Runs one RLM (root or child) to its end. Never throws for model, sandbox or budget failures:
 * the result's `status` says what happened. The sandbox session is always destroyed.
 */
export async function executeRun(tree: RunTree, input: RunInput): Promise<RLMResult<unknown>> {
  const { settings } = tree;
  const depth = input.depth;
  const recursive = depth + 1 < settings.maxDepth;
  const capacity = windowCapacityChars(settings.subModel);
  const systemPrompt =
    settings.systemPrompt ??
    buildSystemPrompt({
      style: settings.promptStyle,
      recursive,
      subModelNames: Object.keys(settings.subModels ?? {}),
      nativePackages: settings.sandbox.capabilities?.nativePackages,
      tools: settings.tools,
      ...(input.schema === undefined ? {} : { answerSchema: input.schema }),
      ...(capacity === undefined ? {} : { subModelCapacityChars: capacity }),
    });
  const accounts = openAccounts(tree, input.parent);
  const rootModel = input.model ?? settings.model;
  const record = new RunRecord(tree, {
    ...(input.model === undefined ? {} : { model: input.model }),
    mode: 'rlm',
    question: input.question,
    context: input.context,
    depth,
    ...(input.parentRunId === undefined ? {} : { parentRunId: input.parentRunId }),
    systemPrompt,
    sandbox: settings.sandbox.name,
    accounts,
  });
  const { runId, trajectory, texts } = record;
  const emitBase = () => record.base();

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
    startChild: async (prompt, context, signal, model) => {
      const child = await executeRun(tree, { question: prompt, context: prepareContext(context as never), depth: depth + 1, parentRunId: runId, signal, parent: accounts, ...(model === undefined ? {} : { model }) });
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
    ...(input.extraContexts === undefined ? {} : { extraContexts: input.extraContexts }),
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.setupCode === undefined ? {} : { setupCode: input.setupCode }),
    onRestart: (reason) => tree.emit({ type: 'sandbox-restart', ...emitBase(), reason }),
    onSandbox: (phase) =>
      tree.emit(
        phase.type === 'start'
          ? { type: 'sandbox-start', ...emitBase(), sandbox: settings.sandbox.name }
          : { type: 'sandbox-ready', ...emitBase(), sandbox: settings.sandbox.name, durationMs: phase.durationMs, loadContextMs: phase.loadContextMs },
      ),
  });
  const execute = (code: string) => repl.execute(code);

  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt },
    { role: 'user', content: buildMetadataMessage(input.context.metadata, input.question) + (input.note === undefined ? '' : `\n\n${input.note}`) },
  ];
  let iterations = 0;
  let outcome: RunOutcome | undefined;
  // Keeps the root conversation inside the model's window (see compaction.ts).
  const compactor = new Compactor({
    tree,
    settings,
    usage: accounts.usage,
    depth,
    signal: input.signal,
    messages,
    repl,
    trajectory,
    texts,
    variable: input.persistent === undefined ? 'history' : 'turn_history',
    model: rootModel,
    iteration: () => iterations,
  });
  let compactedForError = false;
  /** Root iterations in a row that failed (see `maxConsecutiveErrors`). */
  let consecutiveFailures = 0;
  let schemaFailures = 0;

  /** Accepts a final answer, or returns the feedback asking the model to fix it (schema mismatch). */
  const acceptFinal = async (text: string, value: unknown): Promise<RunOutcome | string> => {
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

  const finishEarly = async (status: 'max_iterations' | 'budget_exhausted' | 'timeout', detail: string): Promise<RunOutcome> => {
    tree.emit({ type: 'budget-exhausted', ...emitBase(), reason: status, detail });
    const stepStart = Date.now();
    const request = buildFinalAnswerRequest(detail);
    const signal = status === 'timeout' ? AbortSignal.any([tree.userSignal, AbortSignal.timeout(FINAL_ANSWER_GRACE_MS)]) : input.signal;
    try {
      const { response, costUsd } = await callModel(tree, {
        usage: accounts.usage,
        model: rootModel,
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
      if (consecutiveFailures >= settings.maxConsecutiveErrors) {
        accounts.limits.record('maxConsecutiveErrors', settings.maxConsecutiveErrors);
        outcome = await finishEarly('budget_exhausted', `maxConsecutiveErrors (${settings.maxConsecutiveErrors}) iterations in a row failed`);
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
        if (shouldCompact(messages, compactor.window, settings.compactAtFraction)) {
          await compactor.compact(`The conversation reached ${Math.round(settings.compactAtFraction * 100)}% of the root model's context window.`);
        }
        call = await callModel(tree, {
          usage: accounts.usage,
          model: rootModel,
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
        if (isContextLengthError(error) && !compactedForError && messages.length > 2) {
          // The provider says the prompt is too long: learn a window below it, compact, retry once.
          compactor.learntWindow ??= Math.floor(promptTokenEstimate(messages) * 0.8);
          compactedForError = true;
          await compactor.compact(`The model's provider refused the conversation as too long: ${(error as Error).message}`);
          iterations--;
          continue;
        }
        throw error;
      }
      compactedForError = false;
      const { response, costUsd } = call;
      tree.emit({ type: 'model-response', ...emitBase(), iteration: iterations, model: modelKey(rootModel), cached: call.cached === true, text: response.text, usage: response.usage, costUsd, durationMs: call.durationMs, totalUsage: tree.usage.snapshot() });
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
      /** Accepts a text final read against the REPL (final-answer.ts), or passes its feedback on. */
      const settle = async (resolution: TextFinalResolution): Promise<void> => {
        if (resolution.kind === 'feedback') return void feedback.push(resolution.feedback);
        if (resolution.note !== undefined) feedback.push(resolution.note);
        const accepted = await acceptFinal(resolution.text, resolution.value);
        if (typeof accepted === 'string') feedback.push(accepted);
        else outcome = accepted;
      };
      let failure: string | undefined;

      if (parsed.blocks.length === 0) {
        if (parsed.unterminated) feedback.push(NUDGE_UNTERMINATED);
        else if (parsed.textFinal !== undefined) await settle(await resolveTextFinal(parsed.textFinal, execute, settings.maxOutputChars));
        else feedback.push(NUDGE_NO_CODE);
      } else {
        for (const [index, code] of parsed.blocks.entries()) {
          tree.emit({ type: 'code-execution-start', ...emitBase(), iteration: iterations, block: index, code });
          const subcallsBefore = step.subcalls.length;
          const { result, restartNote } = await execute(code);
          if (result === undefined) {
            feedback.push(restartNote!);
            failure ??= `the REPL restarted during code block ${index + 1}`;
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
          const inlineFinal = finalOfFailedBlock(code, result);
          if (inlineFinal !== undefined) {
            const rest = inlineFinal.rest === undefined ? undefined : (await execute(inlineFinal.rest)).result;
            if (rest !== undefined && (rest.error !== undefined || rest.timedOut === true)) feedback.push(formatExecution(rest, index, parsed.blocks.length, settings.maxOutputChars));
            else {
              feedback.push(`Code block ${index + 1}: its FINAL line is not valid Python, so it was read as text.`);
              await settle(await resolveTextFinal(inlineFinal.final, execute, settings.maxOutputChars));
              if (outcome !== undefined) break;
            }
          }
          if (result.error !== undefined || result.timedOut === true) failure ??= `code block ${index + 1} ${result.timedOut === true ? 'was interrupted' : `raised ${result.error!.type}`}`;
          if (result.timedOut && input.signal.aborted) break;
        }
        if (outcome === undefined && parsed.textFinal !== undefined && !parsed.unterminated) {
          await settle(await resolveFinalAfterCode(parsed.textFinal, failure, execute, settings.maxOutputChars));
        }
        if (outcome === undefined && parsed.unterminated) feedback.push(NUDGE_UNTERMINATED);
      }
      const failedIteration = outcome === undefined && (failure !== undefined || parsed.blocks.length === 0 || parsed.unterminated);
      consecutiveFailures = failedIteration ? consecutiveFailures + 1 : 0;
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
  return record.finish(outcome, iterations);
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
