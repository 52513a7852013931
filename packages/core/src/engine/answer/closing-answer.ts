import type { SandboxSessionV1 } from '../../spec/sandbox-provider-v1.js';
import { findTextFinal, parseResponse, type TextFinal } from './code-blocks.js';
import { resolveTextFinal, type CellRunner } from './final-answer.js';

/** Longest a code block of the closing reply may run, in ms (it should only read a variable). */
const CLOSING_CODE_TIMEOUT_MS = 10_000;

/** How the closing answer was read, for the trajectory and tests. */
export type ClosingAnswerSource = 'text-final' | 'final-var' | 'code-final' | 'code-text-final' | 'prose' | 'verbatim';

/**
 * Reads the answer out of the closing "answer now" reply like any reply: a text `FINAL(...)`, a
 * text `FINAL_VAR(name)` read from the REPL, or code blocks run in the REPL until one calls
 * `FINAL`/`FINAL_VAR` (a reply that is only ```` ```repl\nFINAL_VAR(answer)\n``` ```` answers with
 * the variable, not with that text). Code that cannot run falls back to the text rule on the code,
 * then to the reply's prose without its code blocks, and only then to the reply verbatim.
 *
 * @param session the run's live REPL, when there is one (state from earlier cells is there).
 * @param signal bounds the code run here (the closing call's own grace period).
 */
export async function readClosingAnswer(
  text: string,
  session: SandboxSessionV1 | undefined,
  signal: AbortSignal,
): Promise<{ answer: string; source: ClosingAnswerSource }> {
  const parsed = parseResponse(text);
  const run = async (code: string) =>
    session === undefined
      ? undefined
      : await session.execute(code, { timeoutMs: CLOSING_CODE_TIMEOUT_MS, abortSignal: signal }).catch(() => undefined);
  const runner: CellRunner = async (code) => ({ result: await run(code) });
  /** A text final, read against the REPL (a `FINAL(name)` naming a variable answers with its value). */
  const fromText = async (final: TextFinal): Promise<{ answer: string; source: ClosingAnswerSource } | undefined> => {
    const resolved = await resolveTextFinal(final, runner, 2_000);
    if (resolved.kind === 'feedback') return undefined;
    return { answer: resolved.text, source: final.kind === 'FINAL' && resolved.note === undefined ? 'text-final' : 'final-var' };
  };

  // Without code, the text final is the answer; with code, the code runs first (the value is read after it ran).
  if (parsed.textFinal !== undefined && parsed.blocks.length === 0) {
    const answer = await fromText(parsed.textFinal);
    if (answer !== undefined) return answer;
  }
  for (const code of parsed.blocks) {
    const result = await run(code);
    if (result?.final !== undefined) return { answer: result.final.text, source: 'code-final' };
  }
  if (parsed.textFinal !== undefined && parsed.blocks.length > 0) {
    const answer = await fromText(parsed.textFinal);
    if (answer !== undefined) return answer;
  }
  if (parsed.blocks.length > 0) {
    const inCode = findTextFinal(parsed.blocks.join('\n'));
    if (inCode?.kind === 'FINAL') return { answer: inCode.value, source: 'code-text-final' };
    if (inCode?.kind === 'FINAL_VAR') {
      const result = await run(`FINAL_VAR(${JSON.stringify(inCode.name)})`);
      if (result?.final !== undefined) return { answer: result.final.text, source: 'code-text-final' };
    }
    const prose = withoutCodeBlocks(text);
    if (prose.length > 0) return { answer: prose, source: 'prose' };
  }
  return { answer: text.trim(), source: 'verbatim' };
}

/** The reply with its fenced blocks removed, trimmed. */
function withoutCodeBlocks(text: string): string {
  return text
    .replace(/(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n[ \t]*\1[ \t]*(?=\n|$)/g, '')
    .trim();
}
