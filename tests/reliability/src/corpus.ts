/**
 * The malformed-model-output corpus (`corpus/malformed-output.json`): loading, reply generators,
 * running one case through the engine, and checking its expectations.
 */
import { readFileSync } from 'node:fs';
import { createRLM, type RLMEvent, type RLMResult, type RunStatus, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';

/** A reply: literal text, or a generator (so multi-MB replies stay small in the file). */
export type ReplySpec = string | { readonly repeat: string; readonly times: number } | { readonly concat: readonly ReplySpec[] };

export interface CaseExpectation {
  readonly status: RunStatus;
  /** Exact answer text. */
  readonly answer?: string;
  /** The answer contains this. */
  readonly answerIncludes?: string;
  /** Length of the answer in UTF-16 code units. */
  readonly answerLength?: number;
  /** Root model calls of the run. */
  readonly iterations?: number;
  /** The feedback sent to the model after an iteration contains a text. */
  readonly feedback?: readonly { readonly iteration: number; readonly includes: string }[];
  /** Code blocks executed in an iteration. */
  readonly executions?: readonly { readonly iteration: number; readonly count: number }[];
  /** Sandbox restarts (`sandbox-restart` events). Default 0. */
  readonly restarts?: number;
  /** No feedback message is longer than this (output truncation works). */
  readonly maxFeedbackChars?: number;
}

export interface CaseSettings {
  readonly maxIterations?: number;
  readonly executionTimeoutMs?: number;
  readonly maxSandboxRestarts?: number;
  readonly maxOutputChars?: number;
}

export interface CorpusCase {
  readonly id: string;
  readonly category: string;
  readonly description: string;
  readonly context?: string;
  readonly replies: readonly ReplySpec[];
  /** Reply once `replies` run out (also the closing "answer now" call). */
  readonly after?: string;
  readonly settings?: CaseSettings;
  readonly expect: CaseExpectation;
  /** Per-sandbox overrides of `expect`, by provider name. */
  readonly bySandbox?: Readonly<Record<string, Partial<CaseExpectation>>>;
  /**
   * Set when the engine does not meet `expect` yet: what goes wrong, and where. The test runs the
   * case with `it.fails` (it must fail) until the engine is fixed and this field removed.
   */
  readonly knownIssue?: string;
}

export interface Corpus {
  readonly version: number;
  readonly description: string;
  readonly defaults: { readonly context: string; readonly after: string; readonly settings: CaseSettings };
  readonly cases: readonly CorpusCase[];
}

export const CORPUS_PATH = new URL('../corpus/malformed-output.json', import.meta.url);

const STATUSES: ReadonlySet<string> = new Set(['completed', 'max_iterations', 'budget_exhausted', 'timeout', 'aborted', 'error']);

/** Loads and validates the corpus; throws naming the first malformed case. */
export function loadCorpus(path: URL | string = CORPUS_PATH): Corpus {
  const corpus = JSON.parse(readFileSync(path, 'utf8')) as Corpus;
  if (!Array.isArray(corpus.cases)) throw new Error(`${String(path)}: "cases" must be an array`);
  const ids = new Set<string>();
  for (const [index, item] of corpus.cases.entries()) {
    const where = `${String(path)} case #${index} (${item?.id ?? 'no id'})`;
    if (typeof item.id !== 'string' || !/^[a-z0-9-]+$/.test(item.id)) throw new Error(`${where}: id must be kebab-case`);
    if (ids.has(item.id)) throw new Error(`${where}: duplicate id`);
    ids.add(item.id);
    if (typeof item.description !== 'string' || item.description === '') throw new Error(`${where}: description is required`);
    if (!Array.isArray(item.replies)) throw new Error(`${where}: replies must be an array`);
    for (const reply of item.replies as readonly ReplySpec[]) expandReply(reply);
    if (!STATUSES.has(item.expect?.status)) throw new Error(`${where}: expect.status must be one of ${[...STATUSES].join(', ')}`);
  }
  return corpus;
}

/** Turns a reply spec into its text. */
export function expandReply(spec: ReplySpec): string {
  if (typeof spec === 'string') return spec;
  if ('repeat' in spec) {
    if (typeof spec.repeat !== 'string' || !Number.isSafeInteger(spec.times) || spec.times < 0) {
      throw new Error(`invalid repeat generator: ${JSON.stringify(spec)}`);
    }
    return spec.repeat.repeat(spec.times);
  }
  if ('concat' in spec && Array.isArray(spec.concat)) return spec.concat.map(expandReply).join('');
  throw new Error(`invalid reply spec: ${JSON.stringify(spec).slice(0, 200)}`);
}

/** What one run of a case produced. */
export interface CaseOutcome {
  readonly result: RLMResult<unknown>;
  readonly restarts: number;
  /** Root model calls the mock answered (iterations + the closing call, if any). */
  readonly modelCalls: number;
}

/** Runs a case through `createRLM` with a scripted `MockModel` root and the given sandbox. */
export async function runCase(corpus: Corpus, item: CorpusCase, sandbox: SandboxProviderV1): Promise<CaseOutcome> {
  const replies = item.replies.map(expandReply);
  const after = item.after ?? corpus.defaults.after;
  const model = new MockModel({
    modelId: 'corpus-root',
    replies: ({ index }) => replies[index] ?? after,
  });
  const settings = { ...corpus.defaults.settings, ...item.settings };
  const rlm = createRLM({ model, sandbox, ...settings });
  let restarts = 0;
  const result = await rlm.query({
    context: item.context ?? corpus.defaults.context,
    question: `Corpus case ${item.id}: answer the question.`,
    onEvent: (event: RLMEvent) => {
      if (event.type === 'sandbox-restart') restarts++;
    },
  });
  return { result, restarts, modelCalls: model.calls.length };
}

/** The case's expectation for one sandbox. */
export function expectationFor(item: CorpusCase, sandboxName: string): CaseExpectation {
  return { ...item.expect, ...item.bySandbox?.[sandboxName] };
}

function preview(text: unknown): string {
  const value = typeof text === 'string' ? text : JSON.stringify(text);
  return value.length > 160 ? `${JSON.stringify(value.slice(0, 160))}… (${value.length} chars)` : JSON.stringify(value);
}

/** Every way the outcome differs from the expectation, as sentences (empty when it matches). */
export function checkOutcome(outcome: CaseOutcome, expect: CaseExpectation): string[] {
  const { result } = outcome;
  const problems: string[] = [];
  const answer = typeof result.answer === 'string' ? result.answer : JSON.stringify(result.answer);
  if (result.status !== expect.status) {
    problems.push(`status ${result.status} (expected ${expect.status})${result.statusDetail ? `: ${result.statusDetail}` : ''}`);
  }
  if (expect.answer !== undefined && answer !== expect.answer) problems.push(`answer ${preview(answer)} (expected ${preview(expect.answer)})`);
  if (expect.answerIncludes !== undefined && !answer.includes(expect.answerIncludes)) {
    problems.push(`answer ${preview(answer)} does not contain ${preview(expect.answerIncludes)}`);
  }
  if (expect.answerLength !== undefined && answer.length !== expect.answerLength) {
    problems.push(`answer length ${answer.length} (expected ${expect.answerLength})`);
  }
  if (expect.iterations !== undefined && result.iterations !== expect.iterations) {
    problems.push(`iterations ${result.iterations} (expected ${expect.iterations})`);
  }
  if (outcome.restarts !== (expect.restarts ?? 0)) problems.push(`sandbox restarts ${outcome.restarts} (expected ${expect.restarts ?? 0})`);
  const steps = result.trajectory.steps.filter((step) => step.kind === 'iteration');
  for (const { iteration, includes } of expect.feedback ?? []) {
    const step = steps.find((candidate) => candidate.iteration === iteration);
    if (step === undefined) problems.push(`no trajectory step for iteration ${iteration}`);
    else if (!step.observation.feedback.includes(includes)) {
      problems.push(`feedback of iteration ${iteration} lacks ${preview(includes)}: ${preview(step.observation.feedback)}`);
    }
  }
  for (const { iteration, count } of expect.executions ?? []) {
    const step = steps.find((candidate) => candidate.iteration === iteration);
    const ran = step?.observation.executions.length ?? 0;
    if (ran !== count) problems.push(`iteration ${iteration} executed ${ran} blocks (expected ${count})`);
  }
  if (expect.maxFeedbackChars !== undefined) {
    for (const step of steps) {
      if (step.observation.feedback.length > expect.maxFeedbackChars) {
        problems.push(`feedback of iteration ${step.iteration} has ${step.observation.feedback.length} chars (limit ${expect.maxFeedbackChars})`);
      }
    }
  }
  if (result.status === 'error' && expect.status !== 'error') problems.push(`run error: ${result.error?.name}: ${result.error?.message}`);
  return problems;
}
