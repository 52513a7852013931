import type { ContextInput } from '@rlms/core';

/** The task suites. */
export type SuiteId = 's-niah' | 'oolong' | 'oolong-pairs' | 'codeqa';

/** One generated task with its ground truth. */
export interface SuiteTask {
  readonly id: string;
  /** Requested context size in tokens. */
  readonly sizeTokens: number;
  /** Question type within the suite (e.g. `count`, `most-frequent`). */
  readonly kind: string;
  /** The input, loaded as `context` in the REPL. */
  readonly context: ContextInput;
  /** The context as one text, for the direct (vanilla) call. */
  readonly contextText: string;
  readonly question: string;
  /** The ground truth (a string, a number, or pairs). */
  readonly expected: unknown;
}

/** How well one answer matched. */
export interface TaskScore {
  /** 0..1 (exact match: 0 or 1; F1 for pair sets). */
  readonly score: number;
  readonly correct: boolean;
}

/** A task suite: a generator, a scorer and an oracle (for offline harness tests). */
export interface Suite {
  readonly id: SuiteId;
  readonly title: string;
  /** What the suite checks, one sentence. */
  readonly description: string;
  /** Scoring rule, for reports. */
  readonly metric: 'exact' | 'f1';
  /** Sizes in tokens used when none are given. */
  readonly defaultSizes: readonly number[];
  /** Largest size the generator can make (CodeQA is bounded by the source tree), in tokens. */
  readonly maxSizeTokens?: number;
  /** Deterministic tasks for one size. */
  generate(options: { readonly sizeTokens: number; readonly count: number; readonly seed: number }): SuiteTask[];
  /** Scores a model's answer text. */
  score(task: SuiteTask, answer: string): TaskScore;
  /** The correct answer as a model would write it. */
  answerText(task: SuiteTask): string;
  /** Python for the REPL that solves the task (the oracle: it knows how the generator builds tasks). */
  oracleCode(task: SuiteTask): string;
  /** The oracle sub-model's answer to a sub-call prompt made by `oracleCode`, or `undefined` when it is not one. */
  oracleSubcall?(prompt: string): string | undefined;
}
