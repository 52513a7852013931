/**
 * Why a replayed run did not end as the reference did: the first turn where rlms diverged (a code
 * error the reference did not have, blocks read differently) and the cause at the reference's end turn.
 */
import { looksLikeSource, type Classification, type RlmsOutcome } from './classify-outcome.js';
import { NO_RECORDED_REPLY, type ReplayLog } from './replay-server.js';
import { CODE_LANGS, firstFinalCall, scanResponse, snippet, type ScannedResponse } from './response-shapes.js';
import type { CliTrajectoryStep } from './run-rlms-cli.js';
import { iterationResponses, type RealOutcome, type RealTrajectory } from './trajectory-corpus.js';

/** A cause of difference, with a stable code for tallies. */
export interface Cause {
  readonly code: CauseCode;
  /** 1-based root turn where it shows. */
  readonly turn?: number;
  /** What exactly happened (error message, the line that tripped rlms…). */
  readonly detail: string;
}

/** Stable cause codes (see {@link CAUSE_LABELS}). */
export type CauseCode =
  | 'final-after-code-ignored'
  | 'final-var-value-nameerror'
  | 'final-in-code-fence-invalid'
  | 'final-in-other-fence'
  | 'glued-closing-fence'
  | 'unterminated-block'
  | 'context-name-undefined'
  | 'module-missing'
  | 'llm-query-call-error'
  | 'text-final-to-last-paren'
  | 'text-final-identifier'
  | 'text-final-not-accepted'
  | 'several-finals'
  | 'reference-final-from-failed-code'
  | 'rlms-final-earlier'
  | 'code-error'
  | 'python-fence-run'
  | 'blocks-differ'
  | 'answer-differs'
  | 'run-error'
  | 'better-answered-where-reference-did-not'
  | 'better-value-not-source'
  | 'better-closing-final-resolved'
  | 'closing-reply-read-differently'
  | 'sub-replies-exhausted'
  | 'unknown';

/** Human labels of cause codes. */
export const CAUSE_LABELS: Readonly<Record<CauseCode, string>> = {
  'final-after-code-ignored': 'final line after the code block ignored',
  'final-var-value-nameerror': 'FINAL_VAR(<value>) NameError',
  'final-in-code-fence-invalid': 'FINAL(...) in a ```python/```repl block that does not run',
  'final-in-other-fence': 'FINAL in a ```final/```instruct/other fence',
  'glued-closing-fence': 'closing fence glued to text',
  'unterminated-block': 'block never closed: nothing ran',
  'context-name-undefined': 'context_0 (or the trace\'s context name) undefined',
  'module-missing': 'module missing in the sandbox',
  'llm-query-call-error': 'llm_query(...) call rejected (unknown model=, positional dict…)',
  'text-final-to-last-paren': 'FINAL(...) text parse took to the last paren',
  'text-final-identifier': 'text FINAL(name) returned the name',
  'text-final-not-accepted': 'text FINAL(...) not accepted',
  'several-finals': 'several FINAL calls in one response: the reference keeps the first, rlms the last',
  'reference-final-from-failed-code': 'the reference took FINAL(...) from a code block that raised (rlms went on)',
  'rlms-final-earlier': 'rlms accepted a final the reference did not',
  'code-error': 'code error the reference did not have',
  'python-fence-run': 'rlms ran a ```python block the reference ignored (it runs ```repl only)',
  'blocks-differ': 'code blocks extracted differently',
  'answer-differs': 'answer differs (same end)',
  'run-error': 'run error',
  'better-answered-where-reference-did-not': 'better: answered where the reference fell back to the closing call',
  'better-value-not-source': 'better: a value where the reference returned program text (a name, an f-string, text past the call)',
  'better-closing-final-resolved': 'better: rlms resolved the FINAL call ending the closing reply; the reference returned the reply raw',
  'closing-reply-read-differently': 'closing reply: rlms answered with part of it or a resolved value, the reference with the raw reply',
  'sub-replies-exhausted': 'rlms made more sub-calls than were recorded (its answer holds the replay placeholder)',
  unknown: 'unknown',
};

/** The first turn where rlms did something the reference did not. */
export interface Divergence {
  readonly turn: number;
  readonly kind: 'error' | 'blocks' | 'end';
  readonly cause: Cause;
}

/** Everything {@link diagnose} reads. */
export interface DiagnoseInput {
  readonly trajectory: RealTrajectory;
  readonly real: RealOutcome;
  readonly rlms: RlmsOutcome;
  readonly classification: Classification;
  readonly steps: readonly CliTrajectoryStep[];
  readonly log: ReplayLog;
}

/** The diagnosis of one replay. */
export interface Diagnosis {
  readonly cause?: Cause;
  readonly firstDivergence?: Divergence;
}

const normalise = (code: string) => code.replace(/\s+/g, ' ').trim();
const CONTEXT_NAME = /^name '((?:session_)?context_\d+|completion_context)' is not defined/;

/** Names a code error rlms raised. */
function errorCause(turn: number, error: { type: string; message: string }, code: string, response: ScannedResponse): Cause {
  const message = error.message.split('\n')[0] ?? '';
  const detail = `${error.type}: ${snippet(message, 160)}`;
  if (error.type === 'NameError' && (message.startsWith('FINAL_VAR(') || message.includes('no variable named'))) {
    return { code: 'final-var-value-nameerror', turn, detail: `${snippet(code.split('\n').find((line) => line.includes('FINAL_VAR')) ?? code, 80)} -> ${detail}` };
  }
  const contextName = CONTEXT_NAME.exec(message);
  if (error.type === 'NameError' && contextName !== null) return { code: 'context-name-undefined', turn, detail };
  if (error.type === 'ModuleNotFoundError' || error.type === 'ImportError') return { code: 'module-missing', turn, detail };
  if (/llm_query|rlm_query|Unknown model|model=/.test(message) || (error.type === 'TypeError' && /\b(llm|rlm)_query(_batched)?\(/.test(code) && /argument|positional|model/.test(message))) {
    return { code: 'llm-query-call-error', turn, detail: `${snippet(code.split('\n').find((line) => /(llm|rlm)_query/.test(line)) ?? '', 80)} -> ${detail}` };
  }
  if (error.type === 'TypeError' && /\bFINAL(_VAR)?\(\)/.test(message)) {
    return { code: 'final-in-code-fence-invalid', turn, detail: `${snippet(code.split('\n').find((line) => /FINAL/.test(line)) ?? '', 80)} -> ${detail}` };
  }
  if (error.type === 'SyntaxError' || error.type === 'IndentationError') {
    const glued = response.blocks.find((block) => block.gluedClose !== undefined && CODE_LANGS.has(block.lang));
    if (code.includes('```') || (glued !== undefined && code.includes(glued.gluedClose!))) {
      return { code: 'glued-closing-fence', turn, detail: `${snippet(glued?.gluedClose ?? code.split('\n').find((line) => line.includes('```')) ?? '', 60)} -> ${detail}` };
    }
    if (/\bFINAL(_VAR)?\s*\(/.test(code)) return { code: 'final-in-code-fence-invalid', turn, detail: `${snippet(code.split('\n').find((line) => /FINAL/.test(line)) ?? '', 80)} -> ${detail}` };
  }
  return { code: 'code-error', turn, detail };
}

/** The first error or block difference at `turn`, if any. */
function turnDivergence(turn: number, step: CliTrajectoryStep, input: DiagnoseInput, response: ScannedResponse): Divergence | undefined {
  const recorded = input.trajectory.recorded_blocks[turn - 1] ?? [];
  for (const execution of step.observation.executions) {
    const error = execution.result.error;
    if (error === undefined) continue;
    const twin = recorded.find((block) => normalise(block.code) === normalise(execution.code));
    if (twin !== undefined && (twin.stderr ?? '').includes(error.type)) continue;
    return { turn, kind: 'error', cause: errorCause(turn, error, execution.code, response) };
  }
  const unclosed = response.blocks.find((block) => CODE_LANGS.has(block.lang) && !block.closed);
  if (unclosed !== undefined && !step.action.code.some((code) => normalise(code) === normalise(unclosed.code))) {
    return { turn, kind: 'blocks', cause: { code: 'unterminated-block', turn, detail: `\`\`\`${unclosed.lang} block never closed: ${snippet(unclosed.code, 80)}` } };
  }
  const ours = step.action.code.map(normalise);
  const theirs = recorded.map((block) => normalise(block.code));
  if (ours.length !== theirs.length || ours.some((code, index) => code !== theirs[index])) {
    const glued = response.blocks.find((block) => block.gluedClose !== undefined);
    if (glued !== undefined) return { turn, kind: 'blocks', cause: { code: 'glued-closing-fence', turn, detail: `closing line ${snippet(glued.gluedClose!, 60)}` } };
    const langs = response.blocks.map((block) => block.lang || '(none)').join(', ');
    const python = response.blocks.filter((block) => block.lang !== 'repl' && CODE_LANGS.has(block.lang));
    if (python.length > 0 && ours.length > theirs.length && theirs.every((code) => ours.includes(code))) {
      return { turn, kind: 'blocks', cause: { code: 'python-fence-run', turn, detail: `\`\`\`${python[0]!.lang}: ${snippet(python[0]!.code, 70)}` } };
    }
    return { turn, kind: 'blocks', cause: { code: 'blocks-differ', turn, detail: `rlms ran ${ours.length} block(s), the reference ${theirs.length}; fences: ${langs}` } };
  }
  return undefined;
}

/** Why rlms did not finish at the reference's end turn `turn`. */
function missedFinalCause(turn: number, how: string, step: CliTrajectoryStep | undefined, response: string | undefined, divergence: Divergence | undefined): Cause {
  if (response === undefined) return { code: 'unknown', turn, detail: 'no recorded response for the end turn' };
  const scan = scanResponse(response);
  if (divergence !== undefined && divergence.turn === turn && divergence.kind === 'error' && divergence.cause.code !== 'code-error') return divergence.cause;
  const finalError = step?.observation.executions.find((execution) => execution.result.error !== undefined && /FINAL/.test(execution.code));
  if (finalError?.result.error !== undefined) {
    const cause = errorCause(turn, finalError.result.error, finalError.code, scan);
    if (cause.code !== 'code-error') return cause;
    if (/text/.test(how) && scan.proseFinals.length === 0) {
      const line = finalError.code.split('\n').find((text) => /FINAL/.test(text)) ?? '';
      return { code: 'reference-final-from-failed-code', turn, detail: `${snippet(line, 60)} in a block that raised ${cause.detail}` };
    }
    if (divergence !== undefined && divergence.turn < turn && divergence.cause.code !== 'code-error') return divergence.cause;
    return cause;
  }
  const prose = scan.proseFinals.find((final) => final.afterCode) ?? (scan.blocks.some((block) => CODE_LANGS.has(block.lang)) ? scan.proseFinals[0] : undefined);
  if (prose !== undefined) return { code: 'final-after-code-ignored', turn, detail: snippet(prose.line, 100) };
  const fenced = scan.blocks.find((block) => !CODE_LANGS.has(block.lang) && /\bFINAL(_VAR)?\s*\(/.test(block.code));
  if (fenced !== undefined) return { code: 'final-in-other-fence', turn, detail: `\`\`\`${fenced.lang} block: ${snippet(fenced.code, 80)}` };
  const glued = scan.blocks.find((block) => block.gluedClose !== undefined);
  if (glued !== undefined) return { code: 'glued-closing-fence', turn, detail: `closing line ${snippet(glued.gluedClose!, 60)}` };
  const unclosed = scan.blocks.find((block) => CODE_LANGS.has(block.lang) && !block.closed);
  if (unclosed !== undefined) {
    const finalLine = unclosed.code.split('\n').find((line) => /\bFINAL(_VAR)?\s*\(/.test(line));
    return { code: 'unterminated-block', turn, detail: `\`\`\`${unclosed.lang} block never closed: ${snippet(unclosed.code, 60)}${finalLine === undefined ? '' : `; holds ${snippet(finalLine, 40)}`}` };
  }
  if (scan.proseFinals.length > 0) return { code: 'text-final-not-accepted', turn, detail: `${snippet(scan.proseFinals[0]!.line, 80)}; feedback: ${snippet(step?.observation.feedback ?? '', 100)}` };
  if (divergence !== undefined && divergence.turn <= turn) return divergence.cause;
  return { code: 'unknown', turn, detail: `feedback: ${snippet(step?.observation.feedback ?? '', 140)}` };
}

/** Why the answers differ when both runs ended at the same place. */
function answerCause(input: DiagnoseInput, divergence: Divergence | undefined): Cause {
  const turn = input.real.turn;
  const response = input.real.endKind === 'closing' ? input.steps.at(-1)?.action.response : iterationResponses(input.trajectory)[turn - 1];
  const answer = input.rlms.answer.trim();
  const call = response === undefined ? undefined : firstFinalCall(response);
  const argument = call?.argument.replace(/^(["'])([\s\S]*)\1$/, '$2').trim();
  if (call?.kind === 'FINAL' && argument !== undefined && argument !== '' && answer.length > argument.length && answer.startsWith(argument)) {
    return { code: 'text-final-to-last-paren', turn, detail: `balanced argument ${snippet(argument, 50)}; rlms answered ${snippet(answer, 80)}` };
  }
  if (/^[A-Za-z_]\w*$/.test(answer) && call?.argument === answer) return { code: 'text-final-identifier', turn, detail: `rlms answered the name "${answer}"` };
  const codeLines = response === undefined ? [] : scanResponse(response).blocks.filter((block) => CODE_LANGS.has(block.lang)).flatMap((block) => block.code.split('\n'));
  const finalLines = codeLines.filter((line) => /^\s*FINAL(_VAR)?\s*\(/.test(line));
  if (finalLines.length > 1) {
    return { code: 'several-finals', turn, detail: `${finalLines.length} calls in code (${snippet(finalLines[0]!, 40)} … ${snippet(finalLines.at(-1)!, 40)}); real ${snippet(input.real.answer, 40)}, rlms ${snippet(answer, 40)}` };
  }
  if (answer.includes(NO_RECORDED_REPLY)) return { code: 'sub-replies-exhausted', turn, detail: `rlms ${snippet(answer, 70)}; ${input.log.subcalls.length} sub-calls, ${input.trajectory.sub_responses.length} recorded` };
  if (input.real.endKind === 'closing') {
    return { code: 'closing-reply-read-differently', turn, detail: `rlms ${snippet(answer, 60)} vs the raw reply ${snippet(input.real.answer, 60)}` };
  }
  if (divergence !== undefined && divergence.turn <= turn) return divergence.cause;
  return { code: 'answer-differs', turn, detail: `rlms ${snippet(answer, 70)} vs real ${snippet(input.real.answer, 70)}` };
}

/** Finds the first divergent turn and the cause of the outcome (for every class but `same`/`equivalent`). */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const responses = iterationResponses(input.trajectory);
  const iterationSteps = input.steps.filter((step) => step.kind === 'iteration');
  let firstDivergence: Divergence | undefined;
  for (const [index, step] of iterationSteps.entries()) {
    const turn = index + 1;
    if (turn > input.trajectory.recorded_blocks.length) break;
    firstDivergence = turnDivergence(turn, step, input, scanResponse(step.action.response));
    if (firstDivergence !== undefined) break;
  }
  const { outcomeClass } = input.classification;
  const withDivergence = (cause: Cause | undefined): Diagnosis => ({ ...(cause === undefined ? {} : { cause }), ...(firstDivergence === undefined ? {} : { firstDivergence }) });
  switch (outcomeClass) {
    case 'same':
    case 'equivalent':
      return withDivergence(undefined);
    case 'incomplete-capture':
      return withDivergence({ code: 'unknown', detail: 'the capture stops before the real run ended' });
    case 'error':
      return withDivergence({ code: 'run-error', detail: `${input.rlms.status}: ${snippet(input.rlms.statusDetail ?? '', 160)}` });
    case 'better':
      return withDivergence(
        input.rlms.turn === input.real.turn && input.real.endKind === input.rlms.endKind
          ? {
              code: input.real.endKind === 'closing' && !looksLikeSource(input.real.answer) ? 'better-closing-final-resolved' : 'better-value-not-source',
              turn: input.real.turn,
              detail: `reference: "${snippet(input.real.answer, 40)}"; rlms: ${snippet(input.rlms.answer, 60)}`,
            }
          : { code: 'better-answered-where-reference-did-not', turn: input.rlms.turn, detail: `${input.trajectory.real_end.how}; rlms answered ${snippet(input.rlms.answer, 60)}` },
      );
    case 'same-turn-different-answer':
      return withDivergence(answerCause(input, firstDivergence));
    case 'different-turn':
      if (input.rlms.endKind === 'iteration' && (input.real.endKind === 'closing' || input.rlms.turn < input.real.turn)) {
        const step = iterationSteps[input.rlms.turn - 1];
        const how = step?.observation.executions.some((execution) => execution.result.final !== undefined) ? 'FINAL in code' : 'text FINAL';
        return withDivergence({ code: 'rlms-final-earlier', turn: input.rlms.turn, detail: `${how}: ${snippet(input.rlms.answer, 80)}` });
      }
      break;
    default:
      break;
  }
  const turn = input.real.turn;
  return withDivergence(missedFinalCause(turn, input.trajectory.real_end.how, iterationSteps[turn - 1], responses[turn - 1], firstDivergence));
}
