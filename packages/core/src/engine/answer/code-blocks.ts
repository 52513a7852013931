import { findTextFinal, type TextFinal } from './text-final.js';

export { findTextFinal, type TextFinal } from './text-final.js';

/** Code extracted from one model response. */
export interface ParsedResponse {
  /** Complete ```repl / ```python blocks, in order. */
  readonly blocks: readonly string[];
  /** A ```repl or ```python fence opened but never closed (typically an output cut by the token limit). */
  readonly unterminated: boolean;
  /**
   * A text `FINAL(...)` / `FINAL_VAR(...)` starting a line outside the code blocks (or inside a
   * ```` ```final ````/```` ```instruct ```` fence). When the response also has code blocks, `afterCode`
   * says whether it comes after the last of them (accepted once that code ran without error) or
   * before (not accepted: the code that follows may change what it should be).
   */
  readonly textFinal?: TextFinal & { readonly afterCode?: boolean };
}

/** Leading characters a fence may carry: spaces, tabs, and invisible marks some models emit (BOM, zero-width space). */
const LEAD = '[ \\t\\uFEFF\\u200B]*';
const FENCE_OPEN = new RegExp(`^${LEAD}(\`{3,}|~{3,})[ \\t]*(repl|python|py|python3)\\b[^\\n]*$`, 'i');
const ANY_FENCE = new RegExp(`^${LEAD}(\`{3,}|~{3,})[ \\t]*([A-Za-z0-9_+-]*)`);
/** Fences whose lines are answers, not examples: a `FINAL(...)` line in them counts like one in prose. */
const ANSWER_FENCES = new Set(['final', 'instruct', 'answer']);
const FINAL_LINE = /^[ \t*_]*FINAL(?:_VAR)?\(/;

/**
 * Extracts code blocks fenced as ```repl or ```python (also ```py, ~~~ fences) from a model response,
 * several per response, in order. Fences of other languages are ignored. Inside a code block, a line
 * that starts with the closing fence (same character, at least as many) closes it, even when text is
 * glued to it (```` ```atical output… ```` as small models write); text inside a string literal on
 * its own line that starts with the fence therefore also closes the block.
 */
export function parseResponse(text: string): ParsedResponse {
  const lines = text.split(/\r?\n/);
  const blocks: string[] = [];
  let unterminated = false;
  let index = 0;
  let inOtherFence: { fence: string; answers: boolean; bare: boolean } | undefined;
  /** Lines outside every code fence (and FINAL lines of answer fences), with the number of code blocks before each. */
  const prose: { line: string; blocksBefore: number }[] = [];
  while (index < lines.length) {
    const line = lines[index]!;
    // A bare fence (no language) left open by glued text is ended by the next code fence.
    if (inOtherFence?.bare === true && FENCE_OPEN.test(line)) inOtherFence = undefined;
    if (inOtherFence !== undefined) {
      if (isClosingFence(line, inOtherFence.fence, false)) inOtherFence = undefined;
      else if (inOtherFence.answers) prose.push({ line, blocksBefore: blocks.length });
      index++;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open === null) {
      const other = ANY_FENCE.exec(line);
      if (other !== null) {
        const language = other[2]!.toLowerCase();
        inOtherFence = { fence: other[1]!, answers: ANSWER_FENCES.has(language), bare: language.length === 0 };
      }
      else prose.push({ line, blocksBefore: blocks.length });
      index++;
      continue;
    }
    const fence = open[1]!;
    const body: string[] = [];
    index++;
    let closed = false;
    while (index < lines.length) {
      const inner = lines[index]!;
      if (isClosingFence(inner, fence, true)) {
        closed = true;
        index++;
        break;
      }
      body.push(inner);
      index++;
    }
    if (!closed) {
      unterminated = true;
      break;
    }
    const code = dedent(body.join('\n'));
    if (code.trim().length > 0) blocks.push(code);
  }
  if (unterminated) return { blocks, unterminated };
  const final = findProseFinal(prose);
  if (final === undefined) return { blocks, unterminated };
  if (blocks.length === 0) return { blocks, unterminated, textFinal: final.textFinal };
  return { blocks, unterminated, textFinal: { ...final.textFinal, afterCode: final.blocksBefore === blocks.length } };
}

/** The first text FINAL of the prose lines, and how many code blocks came before its line. */
function findProseFinal(
  prose: readonly { line: string; blocksBefore: number }[],
): { textFinal: TextFinal; blocksBefore: number } | undefined {
  const joined = prose.map((entry) => entry.line).join('\n');
  const found = findTextFinal(joined);
  if (found === undefined) return undefined;
  // The line the FINAL starts on: the first prose line that starts a FINAL call.
  const at = prose.findIndex((entry) => FINAL_LINE.test(entry.line));
  return { textFinal: found, blocksBefore: at < 0 ? 0 : prose[at]!.blocksBefore };
}

/**
 * Whether `line` closes a fence opened with `fence`. Code blocks (`glued`) close on any line that
 * starts with the fence; other fences only on a line that is the fence alone.
 */
function isClosingFence(line: string, fence: string, glued: boolean): boolean {
  const trimmed = line.replace(/[\uFEFF\u200B]/g, '').trim();
  if (trimmed.length < fence.length) return false;
  const char = fence[0]!;
  let run = 0;
  while (run < trimmed.length && trimmed[run] === char) run++;
  if (run < fence.length) return false;
  return run === trimmed.length || glued;
}

function dedent(code: string): string {
  const lines = code.split('\n');
  let indent = Infinity;
  for (const line of lines) {
    if (line.trim().length === 0) continue;
    const match = /^[ \t]*/.exec(line)!;
    indent = Math.min(indent, match[0].length);
  }
  if (!Number.isFinite(indent) || indent === 0) return code;
  return lines.map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length))).join('\n');
}
