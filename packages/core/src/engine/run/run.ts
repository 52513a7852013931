import { isAbortError } from '../../errors/errors.js';
import type { ChatMessage } from '../../spec/model-provider-v1.js';
import { AnswerAcceptance } from '../answer/answer-acceptance.js';
import type { RLMResult } from '../api/result.js';
import { Compactor } from '../prompt/compact-conversation.js';
import { prepareContext } from '../prompt/context.js';
import { buildMetadataMessage, buildSystemPrompt } from '../prompt/prompts.js';
import { openAccounts, RunRecord, type RunAccounts, type RunOutcome } from '../record/run-record.js';
import { RunClock } from '../record/run-timings.js';
import type { TrajectoryStep } from '../record/trajectory.js';
import { checkStops, closeEarly } from './closing-call.js';
import { createHostBridge } from './host-calls.js';
import { runIteration } from './iteration.js';
import { callRootModel } from './root-call.js';
import { RunRepl } from './run-repl.js';
import type { RunInput, RunState } from './run-state.js';
import { abortCause, type RunTree } from './run-tree.js';
import { windowCapacityChars } from './subcall-guards.js';

export type { RunInput } from './run-state.js';
export { ForwardingHostBridge, type PersistentSession } from './run-repl.js';

/**
 * Runs one RLM (root or child) to its end. Never throws for model, sandbox or budget failures:
 * the result's `status` says what happened. The sandbox session is always destroyed.
 *
 * The phases live in their own files: the root call (root-call.ts), acting on a reply
 * (iteration.ts), the stops and the closing "answer now" call (closing-call.ts), final answers
 * and schemas (answer/answer-acceptance.ts), and the run's record (record/run-record.ts).
 */
export async function executeRun(tree: RunTree, input: RunInput): Promise<RLMResult<unknown>> {
  const state = openRun(tree, input);
  const { record, repl } = state;
  let outcome: RunOutcome | undefined;
  /** Root iterations in a row that failed (see `maxConsecutiveErrors`). */
  let consecutiveFailures = 0;
  try {
    while (outcome === undefined) {
      outcome = await checkStops(state, consecutiveFailures);
      if (outcome !== undefined) break;
      state.iterations++;
      tree.emit({ type: 'iteration-start', ...record.base(), iteration: state.iterations });
      const startedAt = Date.now();
      const call = await callRootModel(state);
      if (call === undefined) {
        state.iterations--;
        continue;
      }
      const turn = await runIteration(state, call, startedAt);
      outcome = turn.outcome;
      consecutiveFailures = turn.failed ? consecutiveFailures + 1 : 0;
      if (outcome === undefined) state.messages.push({ role: 'user', content: turn.feedback });
    }
  } catch (error) {
    outcome = await outcomeOfError(state, error);
  } finally {
    state.currentStep = undefined;
    await repl.release();
  }
  return record.finish(outcome, state.iterations, state.clock);
}

/** The outcome of a run whose loop threw: an abort, the deadline (then the closing call), or an error. */
async function outcomeOfError(state: RunState, error: unknown): Promise<RunOutcome> {
  const { tree, input } = state;
  if (tree.userSignal.aborted) return { status: 'aborted', answer: '', detail: 'The run was aborted.' };
  if (abortCause(tree) === 'timeout' && (input.signal.aborted || isAbortError(error))) {
    return closeEarly(state, 'timeout', `the time limit (${tree.settings.timeoutMs} ms) was reached`);
  }
  if (input.signal.aborted || isAbortError(error)) return { status: 'aborted', answer: '', detail: 'The run was aborted.' };
  return { status: 'error', answer: '', detail: (error as Error).message, error: error as Error };
}

/** Opens a run: its record (emits `run-start`), host bridge, REPL, conversation and compactor. */
function openRun(tree: RunTree, input: RunInput): RunState {
  const { settings } = tree;
  const depth = input.depth;
  const capacity = windowCapacityChars(settings.subModel);
  const systemPrompt =
    settings.systemPrompt ??
    buildSystemPrompt({
      style: settings.promptStyle,
      recursive: depth + 1 < settings.maxDepth,
      subModelNames: Object.keys(settings.subModels ?? {}),
      nativePackages: settings.sandbox.capabilities?.nativePackages,
      tools: settings.tools,
      ...(input.schema === undefined ? {} : { answerSchema: input.schema }),
      ...(capacity === undefined ? {} : { subModelCapacityChars: capacity }),
    });
  const accounts = openAccounts(tree, input.parent);
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
  const clock = new RunClock(input.prepareMs);
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt },
    { role: 'user', content: buildMetadataMessage(input.context.metadata, input.question) + (input.note === undefined ? '' : `\n\n${input.note}`) },
  ];
  // The state is filled in below: the host bridge records sub-calls under `state.currentStep`.
  const state = { tree, input, settings, accounts, record, clock, messages, iterations: 0, currentStep: undefined, compactedForError: false } as Partial<RunState> & { currentStep: TrajectoryStep | undefined; iterations: number };
  const repl = new RunRepl({
    settings,
    budget: tree.budget,
    host: createRunHost(tree, input, record, accounts, () => state.currentStep),
    context: input.context,
    signal: input.signal,
    ...(input.persistent === undefined ? {} : { persistent: input.persistent }),
    ...(input.extraContexts === undefined ? {} : { extraContexts: input.extraContexts }),
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.setupCode === undefined ? {} : { setupCode: input.setupCode }),
    onRestart: (reason) => tree.emit({ type: 'sandbox-restart', ...record.base(), reason }),
    // Root runs nearly always run code: their session opens while the first root call is under way.
    startEarly: depth === 0,
    onSandbox: (phase) => {
      if (phase.type === 'start') return tree.emit({ type: 'sandbox-start', ...record.base(), sandbox: settings.sandbox.name });
      if (phase.type === 'waited') return clock.sandboxWait(phase.durationMs);
      clock.sandboxReady(phase.durationMs, phase.loadContextMs);
      tree.emit({
        type: 'sandbox-ready',
        ...record.base(),
        sandbox: settings.sandbox.name,
        durationMs: phase.durationMs,
        loadContextMs: phase.loadContextMs,
        ...(phase.snapshot === undefined ? {} : { snapshot: phase.snapshot }),
      });
    },
  });
  // Keeps the root conversation inside the model's window (see prompt/compaction.ts).
  const compactor = new Compactor({
    tree,
    runId: record.runId,
    settings,
    usage: accounts.usage,
    depth,
    signal: input.signal,
    messages,
    repl,
    trajectory: record.trajectory,
    texts: record.texts,
    variable: input.persistent === undefined ? 'history' : 'turn_history',
    model: input.model ?? settings.model,
    iteration: () => state.iterations,
  });
  return Object.assign(state, {
    repl,
    compactor,
    rootModel: input.model ?? settings.model,
    answers: new AnswerAcceptance(input.schema, settings.maxSchemaRetries),
  }) as RunState;
}

/**
 * The host bridge of a run: sub-calls are recorded under the step whose cells are running (or kept
 * for the last step when none is), counted up the run tree, and `rlm_query` starts a child run.
 */
function createRunHost(tree: RunTree, input: RunInput, record: RunRecord, accounts: RunAccounts, currentStep: () => TrajectoryStep | undefined) {
  const { runId, texts } = record;
  const depth = input.depth;
  return createHostBridge({
    tree,
    runId,
    depth,
    record: (subcall) => (currentStep()?.subcalls ?? record.orphanSubcalls).push(subcall),
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
}
