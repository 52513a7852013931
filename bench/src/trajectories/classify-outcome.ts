/**
 * Where and with what answer a replayed run ended, against the reference's `real_end`.
 */
import { compareAnswers } from './compare-answers.js';
import { NO_RECORDED_REPLY, type ReplayLog } from './replay-server.js';
import type { CliRunResult } from './run-rlms-cli.js';
import type { RealOutcome } from './trajectory-corpus.js';

/** Outcome classes, in table order. */
export const OUTCOME_CLASSES = [
  'same',
  'equivalent',
  'better',
  'same-turn-different-answer',
  'different-turn',
  'ran-out-of-script',
  'max-iterations',
  'error',
  'incomplete-capture',
] as const;

/** One outcome class. */
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

/** What each class means, for tables. */
export const CLASS_LABELS: Readonly<Record<OutcomeClass, string>> = {
  same: 'same turn, same answer',
  equivalent: 'same turn, equivalent answer',
  better: 'better than the reference',
  'same-turn-different-answer': 'same turn, different answer',
  'different-turn': 'ended on a different turn',
  'ran-out-of-script': 'asked for more root turns than the model wrote',
  'max-iterations': 'ended max_iterations where the real run answered',
  error: 'error',
  'incomplete-capture': 'incomplete capture (reported separately)',
};

/** Classes that count as "ended as the real run did, or better". */
export const AS_REAL_OR_BETTER: ReadonlySet<OutcomeClass> = new Set(['same', 'equivalent', 'better']);

/** How the rlms run ended. */
export interface RlmsOutcome {
  /** `completed`, `max_iterations`, `error`…, or `no-result` when the CLI printed no JSON. */
  readonly status: string;
  readonly statusDetail?: string;
  /** `iteration`: ended in root turn `turn`; `closing`: on the closing call after `turn` iterations; `none`: no end (error). */
  readonly endKind: 'iteration' | 'closing' | 'none';
  readonly turn: number;
  readonly answer: string;
}

/** Reads the CLI result into an {@link RlmsOutcome}. */
export function rlmsOutcome(run: CliRunResult): RlmsOutcome {
  const json = run.json;
  if (json === undefined) {
    return { status: run.timedOut ? 'killed-after-timeout' : 'no-result', statusDetail: run.stderrTail.trim().split('\n').slice(-3).join(' ').slice(0, 400), endKind: 'none', turn: 0, answer: '' };
  }
  const steps = json.trajectory?.steps ?? [];
  const iterations = steps.filter((step) => step.kind === 'iteration').length;
  const last = steps.at(-1);
  const closing = last?.kind === 'final-answer';
  const ended = json.status === 'completed' || (closing && json.status === 'max_iterations');
  return {
    status: json.status,
    ...(json.statusDetail === undefined ? {} : { statusDetail: json.statusDetail.slice(0, 400) }),
    endKind: !ended ? 'none' : closing ? 'closing' : 'iteration',
    turn: iterations,
    answer: json.answer ?? '',
  };
}

/** The class of one replay, and how the answers compared. */
export interface Classification {
  readonly outcomeClass: OutcomeClass;
  /** For `equivalent`: the normalisations used. */
  readonly equivalence?: string;
  /** One line on why it is in this class. */
  readonly summary: string;
}

/**
 * Answers that are program text rather than a value: a bare name, an f-string or `a + "…" + b`
 * source, text run past the call's `)`, or an unresolved `FINAL(...)`/`FINAL_VAR(...)`.
 */
export function looksLikeSource(answer: string): boolean {
  const text = answer.trim();
  return /^[A-Za-z_]\w*$/.test(text) || /^f["']/.test(text) || /^[A-Za-z_]\w*\s*\+|\+\s*[A-Za-z_]\w*$/.test(text) || /^[A-Za-z_]\w*\)/.test(text);
}

/** A raw reply whose last line (fences aside) is an unresolved `FINAL(...)` / `FINAL_VAR(...)` call. */
export function endsWithFinalCall(answer: string): boolean {
  const lines = answer.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^(`{3,}|~{3,})/.test(line));
  return /^\W*FINAL(_VAR)?\s*\(.*\)\W*$/.test(lines.at(-1) ?? '');
}

/** Classifies one replay (see {@link OUTCOME_CLASSES}). */
export function classify(real: RealOutcome, rlms: RlmsOutcome, log: ReplayLog): Classification {
  const where = (kind: string, turn: number) => (kind === 'closing' ? `the closing call after turn ${turn}` : `turn ${turn}`);
  if (!real.complete) {
    const rlmsEnd = log.ranOutOfScript
      ? `rlms asked for root turn ${log.rootServed + 1} (the capture has ${log.rootServed})`
      : log.closingCalled && !log.closingScripted
        ? `rlms reached max_iterations (${log.rootServed}); the capture has no closing reply`
        : `rlms ended ${rlms.status} at ${where(rlms.endKind, rlms.turn)}`;
    return { outcomeClass: 'incomplete-capture', summary: `the capture stops before the real run ended; ${rlmsEnd}` };
  }
  const realWhere = where(real.endKind, real.turn);
  if (log.ranOutOfScript) {
    return { outcomeClass: 'ran-out-of-script', summary: `rlms asked for root turn ${log.rootServed + 1}; the model wrote ${log.rootServed}; the real run ended at ${realWhere}` };
  }
  if (log.closingCalled && !log.closingScripted) {
    return { outcomeClass: 'max-iterations', summary: `rlms reached max_iterations (${log.rootServed}) and made the closing call; the real run answered at ${realWhere}` };
  }
  if (rlms.endKind === 'none') {
    return { outcomeClass: 'error', summary: `rlms ended ${rlms.status}${rlms.statusDetail === undefined ? '' : `: ${rlms.statusDetail}`}` };
  }
  const sameEnd = rlms.endKind === real.endKind && rlms.turn === real.turn;
  if (sameEnd) {
    const match = compareAnswers(rlms.answer, real.answer, { truncatedReplies: log.truncatedReplies, bothClosing: real.endKind === 'closing' });
    if (match.kind === 'same') return { outcomeClass: 'same', summary: `both ended at ${realWhere} with the same answer` };
    if (match.kind === 'equivalent') return { outcomeClass: 'equivalent', equivalence: match.how, summary: `both ended at ${realWhere}; answers equal after: ${match.how}` };
    const value = rlms.answer.trim() !== '' && !looksLikeSource(rlms.answer) && !rlms.answer.includes(NO_RECORDED_REPLY);
    if (value && looksLikeSource(real.answer)) {
      return { outcomeClass: 'better', summary: `both ended at ${realWhere}; the reference returned program text ("${real.answer.trim().slice(0, 40)}"), rlms a value` };
    }
    if (value && real.endKind === 'closing' && endsWithFinalCall(real.answer)) {
      return { outcomeClass: 'better', summary: `both ended on the closing call; the reference returned the raw reply ending in an unresolved FINAL call, rlms resolved it` };
    }
    return { outcomeClass: 'same-turn-different-answer', summary: `both ended at ${realWhere} with different answers` };
  }
  if (real.endKind === 'closing' && rlms.endKind === 'iteration') {
    return {
      outcomeClass: 'better',
      summary: `rlms answered at turn ${rlms.turn}; the reference ${real.unresolvedFinal ? 'could not resolve its FINAL_VAR' : 'accepted no final answer'} and fell back to the closing call`,
    };
  }
  return { outcomeClass: 'different-turn', summary: `rlms ended at ${where(rlms.endKind, rlms.turn)}, the real run at ${realWhere}` };
}
