import type { ContextInput, RLM, RLMSettings, RunStatus, RunUsage, SourceEvidence, Trajectory } from '@rlms/core';
import type { DocumentInterface } from '@langchain/core/documents';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { ChatHistory } from './chain-input.js';
import type { DocumentKeyFunction } from './document-context.js';

/** Settings of `new RLMChain(fields)`. */
export interface RLMChainFields {
  /** The RLM to run: one made with `createRLM(settings)`, or the settings themselves (`{ model, sandbox, … }`). */
  readonly rlm: RLM | RLMSettings;
  /**
   * The corpus the chain reads on every call (what a retriever would have searched). Input
   * `documents`/`context` are added to it. Default: none.
   */
  readonly documents?: readonly DocumentInterface[];
  /** A non-document context read on every call (string, array, record of named documents). Default: none. */
  readonly context?: ContextInput;
  /**
   * Key of each document in the REPL's `context` dict. Default: `metadata.source` + `#` + position
   * (`handbook.md#3`), or `document-3` without a source.
   */
  readonly documentKey?: DocumentKeyFunction;
  /** Prefix each document with a front-matter header of its metadata, so the RLM can cite it. Default `true`. */
  readonly includeMetadata?: boolean;
  /**
   * What counts as having used a document, for `sourceDocuments`. Default `['subcalls', 'answer']`:
   * its text was sent to a sub-model, or the answer names its key or source or quotes it.
   * Add `'output'` to also count code output shown to the root model.
   */
  readonly sourceEvidence?: readonly SourceEvidence[];
  /** Dispatch every rlms event as a LangChain custom event (`rlm:iteration-start`, `rlm:subcall-end`…). Default `true`. */
  readonly dispatchEvents?: boolean;
  /** Put the run's trajectory in the output as `trajectory` (it may hold the whole context). Default `false`. */
  readonly returnTrajectory?: boolean;
  /** Run name shown in callbacks and traces. Default `'RLMChain'`. */
  readonly name?: string;
}

/** Per-call options of `RLMChain`: LangChain's `RunnableConfig` plus rlms extras. */
export interface RLMChainCallOptions extends RunnableConfig {
  /** Writes the run's trajectory JSON to this path when the run ends. */
  readonly saveTrajectory?: string;
}

/**
 * What `RLMChain` returns, with the field names of the chains it replaces: `answer` and `context`
 * (`createRetrievalChain`), `text`/`result` and `sourceDocuments` (`RetrievalQAChain`). The input's
 * `input`/`question`/`query`/`chat_history` fields are echoed.
 */
export interface RLMChainOutput {
  /** The answer: the text of the RLM's FINAL value. */
  readonly answer: string;
  /** Same as `answer` (`RetrievalQAChain`). */
  readonly text: string;
  /** Same as `answer` (`RetrievalQA` style). */
  readonly result: string;
  /** The FINAL value itself when it was JSON (a dict, a list, a number…). */
  readonly answerValue?: unknown;
  /** The documents the RLM read or cited, in corpus order (`createRetrievalChain`'s field name). */
  readonly context: DocumentInterface[];
  /** Same documents as `context` (`RetrievalQAChain`'s field name). */
  readonly sourceDocuments: DocumentInterface[];
  /** Keys of those documents in the REPL's `context` dict. */
  readonly sourceKeys: string[];
  /** Token usage of the whole run tree: total, by model, by depth. */
  readonly usage: RunUsage;
  /** Known cost in US dollars; `undefined` when no call had a known price. */
  readonly costUsd: number | undefined;
  /** How the run ended: `completed`, or `max_iterations`/`budget_exhausted`/`timeout` with a best-effort answer. */
  readonly status: RunStatus;
  /** Why, when `status` is not `completed`. */
  readonly statusDetail?: string;
  /** Root model calls. */
  readonly iterations: number;
  /** Sub-calls of the whole tree. */
  readonly subcalls: number;
  readonly durationMs: number;
  /** The run's trajectory, when the chain was created with `returnTrajectory: true`. */
  readonly trajectory?: Trajectory;
  /** Echo of the input's `input`. */
  readonly input?: string;
  /** Echo of the input's `question`. */
  readonly question?: string;
  /** Echo of the input's `query`. */
  readonly query?: string;
  /** Echo of the input's `chat_history`. */
  readonly chat_history?: ChatHistory;
  /**
   * Only in `stream()`: progress chunks carry one line of text here (`iteration 2: asking the root
   * model\n`) and nothing else; the last chunk is the full output. Concatenated chunks keep the log.
   */
  readonly progress?: string;
}
