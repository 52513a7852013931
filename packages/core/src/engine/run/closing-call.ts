import { readClosingAnswer } from '../answer/closing-answer.js';
import type { ClosingStatus } from '../answer/answer-acceptance.js';
import { callModel } from '../model/model-call.js';
import { buildFinalAnswerRequest } from '../prompt/prompts.js';
import type { RunOutcome } from '../record/run-record.js';
import { eventBase, type RunState } from './run-state.js';
import { abortCause } from './run-tree.js';

/** Time the closing "answer now" call may take after a timeout. */
const FINAL_ANSWER_GRACE_MS = 60_000;

/**
 * Ends a run that ran out of iterations, budget or time: emits `budget-exhausted`, then asks the
 * root model once for its best answer now (outside the budget; after a timeout within a grace
 * period) and reads it like any reply. The run keeps `status`; a failed closing call leaves the
 * answer empty and says why in the detail.
 */
export async function closeEarly(state: RunState, status: ClosingStatus, detail: string): Promise<RunOutcome> {
  const { tree, settings, input, record } = state;
  const texts = record.texts;
  tree.emit({ type: 'budget-exhausted', ...eventBase(state), reason: status, detail });
  const stepStart = Date.now();
  const request = buildFinalAnswerRequest(detail);
  const signal = status === 'timeout' ? AbortSignal.any([tree.userSignal, AbortSignal.timeout(FINAL_ANSWER_GRACE_MS)]) : input.signal;
  try {
    const { response, costUsd, durationMs } = await callModel(tree, {
      usage: state.accounts.usage,
      model: state.rootModel,
      messages: [...state.messages, { role: 'user', content: request }],
      depth: input.depth,
      signal,
      origin: { runId: state.record.runId, depth: input.depth },
      ignoreBudget: true,
      ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
    });
    state.clock.modelCall(durationMs);
    const { answer } = await readClosingAnswer(response.text, state.repl.session, signal);
    record.trajectory.steps.push({
      iteration: state.iterations + 1,
      kind: 'final-answer',
      startedAt: stepStart,
      durationMs: Date.now() - stepStart,
      action: { response: texts.text(response.text), code: [], usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
      observation: { executions: [], feedback: texts.text(request) },
      subcalls: [],
    });
    return await state.answers.closing(status, answer, detail);
  } catch (error) {
    // The deadline also aborts input.signal: only the caller's abort makes this an abort.
    if (tree.userSignal.aborted || (input.signal.aborted && status !== 'timeout')) {
      return { status: 'aborted', answer: '', detail: 'aborted during the closing answer call' };
    }
    return { status, answer: '', detail: `${detail}; the closing answer call failed: ${(error as Error).message}` };
  }
}

/**
 * The checks made before each iteration: an abort, a spent budget or deadline, too many failed
 * iterations in a row, `maxIterations`. Returns the run's outcome when one of them ends it.
 */
export async function checkStops(state: RunState, consecutiveFailures: number): Promise<RunOutcome | undefined> {
  const { tree, settings } = state;
  const stop = tree.budget.check();
  const cause = stop === 'aborted' ? abortCause(tree) : stop;
  if (cause === 'aborted') return { status: 'aborted', answer: '', detail: 'The run was aborted.' };
  if (cause !== undefined) return closeEarly(state, cause, cause === 'timeout' ? `the time limit (${settings.timeoutMs} ms) was reached` : tree.budget.detail);
  if (consecutiveFailures >= settings.maxConsecutiveErrors) {
    state.accounts.limits.record('maxConsecutiveErrors', settings.maxConsecutiveErrors);
    return closeEarly(state, 'budget_exhausted', `maxConsecutiveErrors (${settings.maxConsecutiveErrors}) iterations in a row failed`);
  }
  if (state.iterations >= settings.maxIterations) return closeEarly(state, 'max_iterations', `maxIterations (${settings.maxIterations}) was reached`);
  return undefined;
}
