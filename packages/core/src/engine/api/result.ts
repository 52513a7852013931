import type { Trajectory } from '../record/trajectory.js';
import type { QuoteVerification } from '../answer/verify-quotes.js';
import type { RunUsage } from '../accounting/usage.js';
import type { LimitReached } from '../accounting/limit-log.js';

export type { RunStatus } from './run-status.js';
import type { RunStatus } from './run-status.js';

/** The outcome of `rlm.query`. */
export interface RLMResult<TAnswer = string> {
  /** The answer: `str()` of the FINAL value (or the typed value when a schema is used). Empty when none. */
  readonly answer: TAnswer;
  /** The FINAL value as JSON when it was JSON-serialisable (a dict, list, number…). */
  readonly answerValue?: unknown;
  readonly status: RunStatus;
  /** A sentence explaining a status other than `completed`. */
  readonly statusDetail?: string;
  /** The error that ended the run when `status` is `error`. */
  readonly error?: Error;
  readonly usage: RunUsage;
  /** Known cost of the whole tree in US dollars; `undefined` when no call had a known price. */
  readonly costUsd: number | undefined;
  /** Root model calls of this run. */
  readonly iterations: number;
  /** Sub-calls made by this run and its child runs (each prompt of a batch counts once). */
  readonly subcalls: number;
  readonly durationMs: number;
  /** Model calls served from the cache (`settings.cache`) instead of the provider. */
  readonly cacheHits: number;
  /**
   * Limits that refused a sub-call or cut a stored text in this run or its child runs
   * (`maxSubcalls`, `maxSubcallPromptChars`, `contextWindowTokens`, `maxTrajectoryTextChars`), with
   * how many times. Absent when none was reached.
   */
  readonly limitsReached?: readonly LimitReached[];
  /** With `verifyQuotes: true`: where each quote of the answer was found, and the quotes found nowhere. */
  readonly citations?: QuoteVerification;
  readonly trajectory: Trajectory;
}
