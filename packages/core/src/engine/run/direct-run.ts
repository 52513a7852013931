import { isAbortError } from '../../errors/errors.js';
import type { ContextInput, PreparedContext } from '../prompt/context.js';
import { buildDirectMessages } from '../prompt/direct-prompt.js';
import { BudgetStop, callModel } from '../model/model-call.js';
import { renderContext } from '../prompt/render-context.js';
import type { RLMResult } from '../api/result.js';
import { openAccounts, RunRecord, type RunOutcome } from '../record/run-record.js';
import { abortCause, modelKey, type RunTree } from './run-tree.js';

/** What a direct run answers. */
export interface DirectRunInput {
  readonly question: string;
  readonly context: PreparedContext;
  /** Aborts the run (the caller's signal or the tree's deadline). */
  readonly signal: AbortSignal;
}

/**
 * Runs a direct query on a run tree: one plain call to the root model with the whole context
 * rendered into the prompt (`renderContext`, `buildDirectMessages`), no sandbox and no code. The
 * call goes through the same path as an RLM run's root calls (budget admission, retries, cache,
 * usage and cost), and the run has the same record: `run-start` (with `mode: 'direct'`),
 * `iteration-start`, `model-response`, `run-end` events, a trajectory with one step and
 * `sandbox: 'none'`, and an `RLMResult`. Never throws for model, budget or time failures: the
 * result's `status` says what happened (`budget_exhausted` when even the prompt alone is past a
 * budget; no closing "answer now" call is made, as there is nothing to answer from).
 */
export async function executeDirectRun(tree: RunTree, input: DirectRunInput): Promise<RLMResult<unknown>> {
  const { settings } = tree;
  const messages = buildDirectMessages(renderContext(contextInputOf(input.context)), input.question);
  const accounts = openAccounts(tree, undefined);
  const record = new RunRecord(tree, {
    mode: 'direct',
    question: input.question,
    context: input.context,
    depth: 0,
    systemPrompt: messages[0]!.content,
    sandbox: 'none',
    accounts,
  });
  const { trajectory, texts } = record;
  let outcome: RunOutcome;
  const stopped = (status: 'budget_exhausted' | 'timeout', detail: string): RunOutcome => {
    tree.emit({ type: 'budget-exhausted', ...record.base(), reason: status, detail });
    return { status, answer: '', detail };
  };
  const timeLimit = () => `the time limit (${settings.timeoutMs} ms) was reached`;

  const stop = tree.budget.check();
  const cause = stop === 'aborted' ? abortCause(tree) : stop;
  if (cause === 'aborted') outcome = { status: 'aborted', answer: '', detail: 'The run was aborted.' };
  else if (cause === 'timeout') outcome = stopped('timeout', timeLimit());
  else if (cause !== undefined) outcome = stopped(cause, tree.budget.detail);
  else {
    tree.emit({ type: 'iteration-start', ...record.base(), iteration: 1 });
    const stepStart = Date.now();
    try {
      const call = await callModel(tree, {
        usage: accounts.usage,
        model: settings.model,
        messages,
        depth: 0,
        signal: input.signal,
        origin: { runId: record.runId, depth: 0 },
        ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
        ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      });
      const { response, costUsd } = call;
      tree.emit({ type: 'model-response', ...record.base(), iteration: 1, model: modelKey(settings.model), cached: call.cached === true, text: response.text, usage: response.usage, costUsd, durationMs: call.durationMs, totalUsage: tree.usage.snapshot() });
      trajectory.steps.push({
        iteration: 1,
        kind: 'iteration',
        startedAt: stepStart,
        durationMs: Date.now() - stepStart,
        action: { response: texts.text(response.text), code: [], usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
        observation: { executions: [], feedback: '' },
        subcalls: [],
      });
      outcome = {
        status: 'completed',
        answer: response.text.trim(),
        ...(response.finishReason === 'length' ? { detail: 'the answer was cut at the output token limit' } : {}),
      };
    } catch (error) {
      if (error instanceof BudgetStop) {
        outcome = error.reason === 'aborted' ? { status: 'aborted', answer: '', detail: 'The run was aborted.' } : stopped(error.reason, error.reason === 'timeout' ? timeLimit() : error.message);
      } else if (tree.userSignal.aborted) outcome = { status: 'aborted', answer: '', detail: 'The run was aborted.' };
      else if (tree.budget.remainingMs() <= 0 && (input.signal.aborted || isAbortError(error))) outcome = stopped('timeout', timeLimit());
      else if (input.signal.aborted || isAbortError(error)) outcome = { status: 'aborted', answer: '', detail: 'The run was aborted.' };
      else outcome = { status: 'error', answer: '', detail: (error as Error).message, error: error as Error };
    }
  }
  return record.finish(outcome, trajectory.steps.length);
}

/** The context as given (a raw payload when only its bytes were kept). */
function contextInputOf(context: PreparedContext): ContextInput {
  return context.value === undefined ? context.payload : (context.value as ContextInput);
}
