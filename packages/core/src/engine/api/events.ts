import type { ExecutionResult, SandboxSnapshotSource } from '../../spec/sandbox-provider-v1.js';
import type { HostCall } from '../../spec/host-bridge.js';
import type { TokenUsage } from '../../spec/usage.js';
import type { ContextMetadata } from '../prompt/context.js';
import type { RLMResult } from './result.js';
import type { RunMode } from './run-mode.js';
import type { RunUsage } from '../accounting/usage.js';

interface EventBase {
  /** Id of the run (root or child) the event belongs to. */
  readonly runId: string;
  /** 0 for the root run, 1 for its children… */
  readonly depth: number;
  /** Milliseconds since epoch. */
  readonly timestamp: number;
}

export interface RunStartEvent extends EventBase {
  readonly type: 'run-start';
  /** How the run answers: an RLM run with a REPL, or one direct model call. Child runs are `'rlm'`. */
  readonly mode: RunMode;
  readonly parentRunId?: string;
  readonly question: string;
  readonly context: ContextMetadata;
}

export interface IterationStartEvent extends EventBase {
  readonly type: 'iteration-start';
  /** 1-based. */
  readonly iteration: number;
}

export interface ModelResponseEvent extends EventBase {
  readonly type: 'model-response';
  readonly iteration: number;
  /** `provider:modelId` of the root model. */
  readonly model: string;
  /** True when the reply came from the cache. */
  readonly cached: boolean;
  readonly text: string;
  readonly usage: TokenUsage;
  readonly costUsd: number | undefined;
  readonly durationMs: number;
  /** Usage of the whole tree so far. */
  readonly totalUsage: RunUsage;
}

export interface CodeExecutionStartEvent extends EventBase {
  readonly type: 'code-execution-start';
  readonly iteration: number;
  /** 0-based index of the block in the response. */
  readonly block: number;
  readonly code: string;
}

export interface CodeExecutionEndEvent extends EventBase {
  readonly type: 'code-execution-end';
  readonly iteration: number;
  readonly block: number;
  readonly result: ExecutionResult;
}

export interface SubcallStartEvent extends EventBase {
  readonly type: 'subcall-start';
  readonly subcallId: string;
  readonly op: HostCall['op'];
  /** Model key `provider:modelId`, or the tool name for tools. */
  readonly target: string;
  /** Characters of the prompt(s). */
  readonly promptChars: number;
  /** Sub-calls of the whole tree in flight, including this one. */
  readonly inFlight: number;
}

export interface SubcallEndEvent extends EventBase {
  readonly type: 'subcall-end';
  readonly subcallId: string;
  readonly op: HostCall['op'];
  readonly target: string;
  readonly durationMs: number;
  readonly usage?: TokenUsage;
  readonly costUsd?: number;
  /** Set when the sub-call failed (the REPL saw an exception or an error string). */
  readonly error?: string;
  readonly inFlight: number;
  readonly totalUsage: RunUsage;
}

export interface BudgetExhaustedEvent extends EventBase {
  readonly type: 'budget-exhausted';
  readonly reason: 'budget_exhausted' | 'timeout' | 'max_iterations';
  readonly detail: string;
}

/** A sandbox session is being opened (first use in a run, or after a restart): start-up can take seconds. */
export interface SandboxStartEvent extends EventBase {
  readonly type: 'sandbox-start';
  /** The sandbox provider's name (`'pyodide'`, `'docker'`…). */
  readonly sandbox: string;
}

/** The session is open and the context loaded: `durationMs` covers start-up and the context load. */
export interface SandboxReadyEvent extends EventBase {
  readonly type: 'sandbox-ready';
  readonly sandbox: string;
  readonly durationMs: number;
  /** Of `durationMs`, the time spent loading the context into the session. */
  readonly loadContextMs: number;
  /** How the interpreter started, when the sandbox says (`SandboxSessionV1.snapshot`). */
  readonly snapshot?: SandboxSnapshotSource;
}

export interface SandboxRestartEvent extends EventBase {
  readonly type: 'sandbox-restart';
  readonly reason: string;
}

/**
 * A model call failed with a retryable error (429, 5xx, a dropped connection, a timeout) and the
 * engine tries it again after `delayMs`. Emitted before the wait, once per retry; a call that runs
 * out of retries ends as usual (the run's status, or the sub-call's error).
 */
export interface ModelRetryEvent extends EventBase {
  readonly type: 'model-retry';
  /** `provider:modelId` of the model called. */
  readonly model: string;
  /** Set when the call is a sub-call of this run (`llm_query`…); absent for the run's own root-model calls. */
  readonly subcallId?: string;
  /** 1-based number of the retry about to be made. */
  readonly retry: number;
  /** Retries allowed per call (`maxRetries`). */
  readonly maxRetries: number;
  /** Milliseconds the engine waits before the retry (the backend's `retry-after` when it gave one). */
  readonly delayMs: number;
  /** HTTP status of the failure, when the provider reported one. */
  readonly statusCode?: number;
  /**
   * The provider's error message. Upstream text: may name gateway URLs; describe it with
   * `errorMessages: false` where lines reach other people.
   */
  readonly error: string;
}

/**
 * The root conversation is being compacted: the root model is asked for a progress summary that
 * will replace the conversation (see `compactAtFraction`). Emitted before the summary call.
 */
export interface CompactionEvent extends EventBase {
  readonly type: 'compaction';
  /** The run's current iteration. */
  readonly iteration: number;
  /**
   * Why: the conversation reached `compactAtFraction` of the root model's window (`'window'`), or
   * the provider refused it as too long (`'context-length'`).
   */
  readonly trigger: 'window' | 'context-length';
  /** Messages in the conversation before compaction. */
  readonly messages: number;
  /** Estimated tokens of the conversation before compaction. */
  readonly estimatedTokens: number;
  /** 1-based number of this compaction in the run. */
  readonly compaction: number;
}

export interface RunEndEvent extends EventBase {
  readonly type: 'run-end';
  readonly result: RLMResult<unknown>;
}

/** Every step of a run, for streaming, progress, tracing and trajectories. */
export type RLMEvent =
  | RunStartEvent
  | IterationStartEvent
  | ModelResponseEvent
  | CodeExecutionStartEvent
  | CodeExecutionEndEvent
  | SubcallStartEvent
  | SubcallEndEvent
  | BudgetExhaustedEvent
  | SandboxStartEvent
  | SandboxReadyEvent
  | SandboxRestartEvent
  | ModelRetryEvent
  | CompactionEvent
  | RunEndEvent;
