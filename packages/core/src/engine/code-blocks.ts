/** Code extracted from one model response. */
export interface ParsedResponse {
  /** Complete ```repl / ```python blocks, in order. */
  readonly blocks: readonly string[];
  /** A ```repl or ```python fence opened but never closed (typically an output cut by the token limit). */
  readonly unterminated: boolean;
  /** A text `FINAL(...)` / `FINAL_VAR(...)` — only set when the response has no code block at all. */
  readonly textFinal?: { readonly kind: 'FINAL'; readonly value: string } | { readonly kind: 'FINAL_VAR'; readonly name: string };
}

/** Leading characters a fence may carry: spaces, tabs, and invisible marks some models emit (BOM, zero-width space). */
const LEAD = '[ \\t\\uFEFF\\u200B]*';
const FENCE_OPEN = new RegExp(`^${LEAD}(\`{3,}|~{3,})[ \\t]*(repl|python|py|python3)\\b[^\\n]*$`, 'i');
const ANY_FENCE = new RegExp(`^${LEAD}(\`{3,}|~{3,})`);

/**
 * Extracts code blocks fenced as ```repl or ```python (also ```py, ~~~ fences) from a model response,
 * several per response, in order. Fences of other languages are ignored. A closing fence must use the
 * same character and at least as many of them as the opening one, so code containing ``` inside a
 * string does not end the block early unless it sits alone on a line.
 */
export function parseResponse(text: string): ParsedResponse {
  const lines = text.split(/\r?\n/);
  const blocks: string[] = [];
  let unterminated = false;
  let index = 0;
  let inOtherFence: string | undefined;
  /** Lines outside every fence: only there does a text FINAL count. */
  const prose: string[] = [];
  while (index < lines.length) {
    const line = lines[index]!;
    if (inOtherFence !== undefined) {
      if (isClosingFence(line, inOtherFence)) inOtherFence = undefined;
      index++;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open === null) {
      const other = ANY_FENCE.exec(line);
      if (other !== null) inOtherFence = other[1];
      else prose.push(line);
      index++;
      continue;
    }
    const fence = open[1]!;
    const body: string[] = [];
    index++;
    let closed = false;
    while (index < lines.length) {
      const inner = lines[index]!;
      if (isClosingFence(inner, fence)) {
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
  if (blocks.length > 0 || unterminated) return { blocks, unterminated };
  const textFinal = findTextFinal(prose.join('\n'));
  return textFinal === undefined ? { blocks, unterminated } : { blocks, unterminated, textFinal };
}

function isClosingFence(line: string, fence: string): boolean {
  const trimmed = line.replace(/[\uFEFF\u200B]/g, '').trim();
  if (trimmed.length < fence.length) return false;
  const char = fence[0]!;
  for (const c of trimmed) if (c !== char) return false;
  return true;
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

/**
 * Finds a text `FINAL(answer)` or `FINAL_VAR(name)` that starts a line. The answer runs to the last `)`
 * of the response, so answers containing parentheses survive; surrounding quotes are removed.
 */
export function findTextFinal(
  text: string,
): { kind: 'FINAL'; value: string } | { kind: 'FINAL_VAR'; name: string } | undefined {
  const varMatch = /^[ \t*_]*FINAL_VAR\(\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*\)/m.exec(text);
  const start = /^[ \t*_]*FINAL\(/m.exec(text);
  if (varMatch !== null && (start === null || varMatch.index <= start.index)) {
    return { kind: 'FINAL_VAR', name: varMatch[1]! };
  }
  if (start === null) return undefined;
  const from = start.index + start[0].length;
  const end = text.lastIndexOf(')');
  if (end < from) return undefined;
  let value = text.slice(from, end).trim();
  const quoted = /^(?:"""([\s\S]*)"""|'''([\s\S]*)'''|"([\s\S]*)"|'([\s\S]*)')$/.exec(value);
  if (quoted !== null) value = (quoted[1] ?? quoted[2] ?? quoted[3] ?? quoted[4] ?? '').trim();
  return { kind: 'FINAL', value };
}
