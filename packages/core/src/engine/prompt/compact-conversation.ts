import type { ChatMessage, ModelProviderV1 } from '../../spec/model-provider-v1.js';
import { COMPACTION_PREFIX, compactedNote, historyCode, rootWindow, summaryRequest } from './compaction.js';
import { callModel } from '../model/model-call.js';
import { promptTokenEstimate } from '../accounting/token-bounds.js';
import type { CompactionEvent } from '../api/events.js';
import type { ResolvedSettings } from '../api/resolve-settings.js';
import type { RunRepl } from '../run/run-repl.js';
import type { RunTree } from '../run/run-tree.js';
import type { Trajectory } from '../record/trajectory.js';
import type { TrajectoryTexts } from '../record/trajectory-text.js';
import type { UsageTracker } from '../accounting/usage.js';

export { COMPACTION_PREFIX };

/** What a run lends its compactor. */
export interface CompactorOptions {
  readonly tree: RunTree;
  /** The run's id, named on its events. */
  readonly runId: string;
  readonly settings: ResolvedSettings;
  readonly usage: UsageTracker;
  readonly depth: number;
  readonly signal: AbortSignal;
  /** The run's conversation: replaced in place by a compaction. */
  readonly messages: ChatMessage[];
  readonly repl: RunRepl;
  readonly trajectory: Trajectory;
  readonly texts: TrajectoryTexts;
  /** The REPL variable that receives the messages that left the conversation. */
  readonly variable: string;
  /** The run's root model. */
  readonly model: ModelProviderV1;
  /** The run's current iteration (recorded on the compaction step). */
  readonly iteration: () => number;
}

/**
 * Compacts a run's root conversation: the model writes a progress summary of it, the messages
 * after the opening two go to the REPL variable (`history`), and the conversation restarts from the
 * opening messages plus the summary. Each compaction is a trajectory step of kind `'compaction'`
 * (its tokens count in the budget like any root call).
 */
export class Compactor {
  /** Every message that left the conversation, oldest first. */
  readonly archived: ChatMessage[] = [];
  #compactions = 0;
  /** A window learnt from a context-length error when the model declares none. */
  learntWindow: number | undefined;
  readonly #opening: readonly ChatMessage[];

  constructor(private readonly options: CompactorOptions) {
    this.#opening = options.messages.slice(0, 2);
  }

  /** Compactions made so far. */
  get compactions(): number {
    return this.#compactions;
  }

  /** The window to keep the conversation in, when known. */
  get window(): number | undefined {
    return rootWindow(this.options.model, this.learntWindow);
  }

  /**
   * Compacts now. Throws what the summary call throws (`BudgetStop` included: the run then ends on
   * its budget as usual).
   */
  async compact(reason: string, trigger: CompactionEvent['trigger']): Promise<void> {
    const { tree, runId, settings, usage, depth, signal, messages, repl, trajectory, texts, variable } = this.options;
    const started = Date.now();
    tree.emit({
      type: 'compaction',
      runId,
      depth,
      timestamp: started,
      iteration: this.options.iteration(),
      trigger,
      messages: messages.length,
      estimatedTokens: promptTokenEstimate(messages),
      compaction: this.#compactions + 1,
    });
    const request = summaryRequest(messages, 2, this.window);
    const { response, costUsd } = await callModel(tree, {
      usage,
      model: this.options.model,
      messages: request,
      depth,
      signal,
      origin: { runId, depth },
      ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
    });
    this.#compactions++;
    this.archived.push(...messages.slice(2));
    const stored = await repl.execute(historyCode(variable, this.archived));
    const storeProblem =
      stored.result === undefined
        ? ` (the REPL was restarted, so \`${variable}\` could not be kept)`
        : stored.result.error === undefined
          ? ''
          : ` (storing \`${variable}\` failed: ${stored.result.error.type})`;
    const note = compactedNote(response.text, this.#compactions, variable, this.archived.length) + storeProblem;
    const [system, opening] = this.#opening;
    messages.length = 0;
    messages.push(system!, { role: opening!.role, content: `${opening!.content}\n\n${note}` });
    trajectory.steps.push({
      iteration: this.options.iteration(),
      kind: 'compaction',
      startedAt: started,
      durationMs: Date.now() - started,
      action: { response: texts.text(response.text), code: [], usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
      observation: { executions: [], feedback: texts.text(`${reason}\n\n${note}`) },
      subcalls: [],
    });
  }
}
