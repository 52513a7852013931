import type { ExecutionResult } from '../../spec/sandbox-provider-v1.js';
import type { HostCall } from '../../spec/host-bridge.js';
import type { TokenUsage } from '../../spec/usage.js';
import type { ContextMetadata } from '../prompt/context.js';
import type { RunStatus } from '../api/run-status.js';
import type { RunMode } from '../api/run-mode.js';
import type { RunUsage } from '../accounting/usage.js';
import type { LimitReached } from '../accounting/limit-log.js';
import type { RunTimings } from './run-timings.js';
import { writePrivateFile } from './write-private-file.js';

/** Current trajectory file format version. */
export const TRAJECTORY_VERSION = 1;

/** One code block run in a step. */
export interface TrajectoryExecution {
  readonly code: string;
  readonly result: ExecutionResult;
}

/**
 * One sub-call made from code during a step: an `llm_query` prompt, a tool call, or a child run.
 * Its texts are stored up to `maxTrajectoryTextChars` each (head + tail, with a note of what was cut).
 */
export interface TrajectorySubcall {
  readonly id: string;
  readonly op: HostCall['op'];
  /** `provider:modelId`, or the tool name. */
  readonly target: string;
  /** The prompt (or the tool arguments as JSON). */
  readonly input: string;
  /** The reply given to the REPL (or the error text). */
  readonly output: string;
  readonly error?: string;
  readonly usage?: TokenUsage;
  readonly costUsd?: number;
  readonly startedAt: number;
  readonly durationMs: number;
  /** Position of the prompt in its `llm_query_batched` / `rlm_query_batched` call (0-based). */
  readonly batchIndex?: number;
  /** The child run's own trajectory, for `rlm_query` below `maxDepth`. */
  readonly child?: Trajectory;
}

/** One root-model turn: what the model did (`action`) and what it saw back (`observation`). */
export interface TrajectoryStep {
  /** 1-based iteration; the closing "answer now" call has kind `final-answer`. */
  readonly iteration: number;
  /** `'compaction'`: the model's progress summary that replaced the conversation near its context window. */
  readonly kind: 'iteration' | 'final-answer' | 'compaction';
  readonly startedAt: number;
  durationMs: number;
  readonly action: {
    /** The model's full response text. */
    readonly response: string;
    /** The code blocks extracted from it, in order. */
    readonly code: readonly string[];
    readonly usage: TokenUsage;
    readonly costUsd?: number;
  };
  observation: {
    readonly executions: TrajectoryExecution[];
    /** The message sent back to the model (outputs, errors, nudges). */
    feedback: string;
  };
  /** In the order the calls were made (a batch in prompt order), whatever order they finished in. */
  readonly subcalls: TrajectorySubcall[];
}

/**
 * A saved run: JSON-serialisable, children nested, the context stored once. Every text in it (prompts,
 * replies, code, outputs, answers; a child run's context) is stored up to `maxTrajectoryTextChars`
 * characters, as head + tail with a note of how many characters were cut.
 */
export interface Trajectory {
  readonly version: typeof TRAJECTORY_VERSION;
  readonly runId: string;
  /**
   * How the run answered: `'rlm'` (steps with code) or `'direct'` (one step, one plain model call,
   * `sandbox: 'none'`). Absent in trajectories written before modes were recorded: read it as `'rlm'`.
   */
  readonly mode?: RunMode;
  readonly depth: number;
  readonly startedAt: number;
  readonly question: string;
  readonly model: string;
  readonly subModel: string;
  readonly sandbox: string;
  readonly systemPrompt: string;
  readonly context: { readonly metadata: ContextMetadata; readonly value?: unknown };
  readonly steps: TrajectoryStep[];
  /** Where the run's wall time went (RLM runs; absent in direct runs and older trajectories). */
  timings?: RunTimings;
  result?: {
    readonly answer: string;
    readonly answerValue?: unknown;
    readonly status: RunStatus;
    readonly statusDetail?: string;
    readonly error?: string;
    readonly iterations: number;
    readonly subcalls: number;
    readonly durationMs: number;
    readonly usage: RunUsage;
    readonly costUsd: number | undefined;
    /** As `RLMResult.limitsReached`. */
    readonly limitsReached?: readonly LimitReached[];
  };
}

/**
 * Writes a trajectory as pretty JSON, readable by the owner only (0600; parent folders created
 * 0700): trajectories hold the context and the questions. See {@link writePrivateFile} for errors.
 */
export async function saveTrajectory(trajectory: Trajectory, path: string): Promise<void> {
  await writePrivateFile(path, JSON.stringify(trajectory, null, 2) + '\n');
}
