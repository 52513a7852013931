import { isContextLengthError, shouldCompact } from '../prompt/compaction.js';
import { BudgetStop, callModel, type ModelCallOutcome } from '../model/model-call.js';
import { modelKey } from './run-tree.js';
import { promptTokenEstimate } from '../accounting/token-bounds.js';
import { eventBase, type RunState } from './run-state.js';

/**
 * Asks the root model for its next turn, compacting the conversation first when it nears the
 * window. Returns `undefined` when the iteration should be tried again: the budget stopped the call
 * (the loop's checks then end the run), or the provider refused the conversation as too long (it is
 * compacted once, below a window learnt from the refusal).
 */
export async function callRootModel(state: RunState): Promise<ModelCallOutcome | undefined> {
  const { tree, settings, messages, compactor } = state;
  let call: ModelCallOutcome;
  try {
    if (shouldCompact(messages, compactor.window, settings.compactAtFraction)) {
      await compactor.compact(`The conversation reached ${Math.round(settings.compactAtFraction * 100)}% of the root model's context window.`, 'window');
    }
    call = await unlessSandboxFails(state, (signal) =>
      callModel(tree, {
        usage: state.accounts.usage,
        model: state.rootModel,
        messages,
        depth: state.input.depth,
        signal,
        origin: { runId: state.record.runId, depth: state.input.depth },
        ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
        ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      }),
    );
  } catch (error) {
    if (error instanceof BudgetStop) return undefined;
    if (isContextLengthError(error) && !state.compactedForError && messages.length > 2) {
      compactor.learntWindow ??= Math.floor(promptTokenEstimate(messages) * 0.8);
      state.compactedForError = true;
      await compactor.compact(`The model's provider refused the conversation as too long: ${(error as Error).message}`, 'context-length');
      return undefined;
    }
    throw error;
  }
  state.compactedForError = false;
  state.clock.modelCall(call.durationMs);
  const { response, costUsd } = call;
  tree.emit({
    type: 'model-response',
    ...eventBase(state),
    iteration: state.iterations,
    model: modelKey(state.rootModel),
    cached: call.cached === true,
    text: response.text,
    usage: response.usage,
    costUsd,
    durationMs: call.durationMs,
    totalUsage: tree.usage.snapshot(),
  });
  return call;
}

/**
 * Runs the root call; while the sandbox is still opening early (see `RunRepl`), a failure to open
 * it cancels the call and is thrown at once: a missing sandbox credential ends the run before a
 * root call is paid for, not after.
 */
async function unlessSandboxFails<T>(state: RunState, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const failure = state.repl.startFailure();
  if (failure === undefined) return call(state.input.signal);
  const cancel = new AbortController();
  const running = call(AbortSignal.any([state.input.signal, cancel.signal]));
  try {
    return await Promise.race([running, failure]);
  } catch (error) {
    if (!cancel.signal.aborted) cancel.abort(error);
    // The cancelled call settles later (as an abort): nobody waits for it.
    running.catch(() => undefined);
    throw error;
  }
}
