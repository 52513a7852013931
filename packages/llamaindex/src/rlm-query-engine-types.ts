import type { QuoteVerification, RLMEvent, RLMResult, RunStatus, RunUsage, SourceEvidence, Trajectory } from '@rlms/core';
import type { QueryType } from '@llamaindex/core/query-engine';
import type { NamedDocumentOptions, RLMDocumentsInput } from './named-documents.js';
import type { RLMQueryEngineRLMSource } from './resolve-engine-rlm.js';

/**
 * Options of `RLMQueryEngine.fromDocuments` (everything but the documents). Give `rlm`, or
 * `settings`, or neither: `settings.model` defaults to LlamaIndex's `Settings.llm` and
 * `settings.sandbox` to Pyodide.
 */
export interface RLMQueryEngineSettings extends RLMQueryEngineRLMSource, NamedDocumentOptions {
  /**
   * What counts as evidence that a document was used, for `sourceNodes`. Default `['subcalls', 'answer']`:
   * its text went into a sub-model prompt or a child run, or the answer quotes it or names it.
   * Add `'output'` to also count text the root model printed and read.
   */
  readonly sourceEvidence?: readonly SourceEvidence[];
  /** Streamed queries yield a progress chunk (empty `delta`, `metadata.rlmProgress`) per step before the answer. Default `true`. */
  readonly streamProgress?: boolean;
  /**
   * Check every quoted span of the answer (12+ characters in quotes or a `>` block) against the
   * documents, also when whitespace or typographic quotes differ: documents quoted this way count as
   * sources, and `metadata.rlm.citations` lists each match and the quotes found nowhere
   * (likely hallucinated). Default `false`.
   */
  readonly verifyQuotes?: boolean;
}

/** Options of `new RLMQueryEngine(options)`. */
export interface RLMQueryEngineOptions extends RLMQueryEngineSettings {
  /** The corpus: LlamaIndex nodes/documents, or a record of named documents (`{ 'notes.md': '…' }`). */
  readonly documents: RLMDocumentsInput;
}

/** Per-query options, on top of LlamaIndex's `{ query, stream }`. */
export interface RLMQueryCallOptions {
  /** Aborts the run: the query rejects with an `AbortError`-named error and the sandbox is freed. */
  readonly abortSignal?: AbortSignal;
  /** Receives every event of the run tree (root, sub-calls, children) as it happens. */
  readonly onEvent?: (event: RLMEvent) => void;
  /** Writes the run's trajectory JSON to this path when it ends. */
  readonly saveTrajectory?: string;
}

/** `engine.query({ query, stream: true, … })`. */
export interface RLMStreamingQueryParams extends RLMQueryCallOptions {
  readonly query: QueryType;
  readonly stream: true;
}

/** `engine.query({ query, … })`. */
export interface RLMNonStreamingQueryParams extends RLMQueryCallOptions {
  readonly query: QueryType;
  readonly stream?: false;
}

/** `response.metadata.rlm` of every answer (and of every answer chunk of a streamed query). */
export interface RLMResponseMetadata {
  /** How the run ended; `completed` unless a budget, `maxIterations` or `timeoutMs` stopped it early. */
  readonly status: Exclude<RunStatus, 'error' | 'aborted'>;
  /** Why the run stopped early, when it did. */
  readonly statusDetail?: string;
  /** Names (`context` keys) of the documents in `sourceNodes`, in the same order. */
  readonly sourceKeys: readonly string[];
  /** The FINAL value as JSON when it was not a plain string (a dict, a list, a number…). */
  readonly answerValue?: unknown;
  /** Root model calls. */
  readonly iterations: number;
  /** Sub-calls of the whole run tree. */
  readonly subcalls: number;
  readonly usage: RunUsage;
  /** Known cost in US dollars; `undefined` when no call had a known price. */
  readonly costUsd: number | undefined;
  readonly durationMs: number;
  /** Model calls served from the RLM's cache (`RLMSettings.cache`). */
  readonly cacheHits: number;
  /** With `verifyQuotes: true`: where each quote of the answer was found, and the quotes found nowhere. */
  readonly citations?: QuoteVerification;
  /** Every step of the run (code, outputs, sub-calls, children). */
  readonly trajectory: Trajectory;
}

/** `chunk.metadata.rlmProgress` of a streamed progress chunk (its `delta` is empty). */
export interface RLMProgressMetadata {
  /** A human-readable line, e.g. `'Iteration 2: running code block 1.'`. */
  readonly message: string;
  /** The engine event it describes. */
  readonly event: RLMEvent;
}

/** Converts a finished run (status other than `error`/`aborted`) to response metadata. */
export function toResponseMetadata(result: RLMResult, sourceKeys: readonly string[]): RLMResponseMetadata {
  return {
    status: result.status as RLMResponseMetadata['status'],
    ...(result.statusDetail === undefined ? {} : { statusDetail: result.statusDetail }),
    sourceKeys,
    ...(result.answerValue === undefined || typeof result.answerValue === 'string' ? {} : { answerValue: result.answerValue }),
    iterations: result.iterations,
    subcalls: result.subcalls,
    usage: result.usage,
    costUsd: result.costUsd,
    durationMs: result.durationMs,
    cacheHits: result.cacheHits,
    ...(result.citations === undefined ? {} : { citations: result.citations }),
    trajectory: result.trajectory,
  };
}
