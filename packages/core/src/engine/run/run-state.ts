import type { ChatMessage, ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { AnswerAcceptance } from '../answer/answer-acceptance.js';
import type { ResolvedSettings } from '../api/resolve-settings.js';
import type { PreparedContext } from '../prompt/context.js';
import type { Compactor } from '../prompt/compact-conversation.js';
import type { RunAccounts, RunRecord } from '../record/run-record.js';
import type { RunClock } from '../record/run-timings.js';
import type { TrajectoryStep } from '../record/trajectory.js';
import type { AnswerSchema } from '../schema/schema.js';
import type { ExtraContext, PersistentSession, RunRepl } from './run-repl.js';
import type { RunTree } from './run-tree.js';

/** What one RLM run (root or child) is asked to do. */
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
  /** Time spent preparing the context before the run, in ms (root runs; recorded in `timings`). */
  readonly prepareMs?: number;
}

/** The live state of one run, shared by its phases (root call, cells, closing call). */
export interface RunState {
  readonly tree: RunTree;
  readonly input: RunInput;
  readonly settings: ResolvedSettings;
  readonly accounts: RunAccounts;
  readonly record: RunRecord;
  readonly repl: RunRepl;
  readonly clock: RunClock;
  readonly answers: AnswerAcceptance;
  readonly compactor: Compactor;
  /** The root conversation (system, metadata + question, then turns). */
  readonly messages: ChatMessage[];
  readonly rootModel: ModelProviderV1;
  iterations: number;
  /** The step whose cells are running: sub-calls are recorded under it. */
  currentStep: TrajectoryStep | undefined;
  /** Set after the provider refused the conversation as too long and it was compacted once. */
  compactedForError: boolean;
}

/** The fields every event of the run carries. */
export function eventBase(state: RunState): { runId: string; depth: number; timestamp: number } {
  return state.record.base();
}
