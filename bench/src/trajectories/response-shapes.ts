/**
 * A small scanner for the shapes of real model responses (fences, final lines), independent of the
 * engine's parser, so the runner can say what a response contained when rlms read it differently.
 */

/** A fenced block as a lenient reader sees it. */
export interface ScannedBlock {
  /** The fence's info string (`repl`, `python`, `final`, `` for none). */
  readonly lang: string;
  readonly code: string;
  readonly closed: boolean;
  /** The closing line when text is glued to the closing fence (```` ```atical output… ````). */
  readonly gluedClose?: string;
}

/** A `FINAL(...)` / `FINAL_VAR(...)` line outside every fence. */
export interface ProseFinal {
  readonly kind: 'FINAL' | 'FINAL_VAR';
  /** The argument, read with balanced parentheses and quotes. */
  readonly argument: string;
  readonly line: string;
  /** True when a code block came before it in the response. */
  readonly afterCode: boolean;
}

/** What a response holds. */
export interface ScannedResponse {
  readonly blocks: readonly ScannedBlock[];
  readonly proseFinals: readonly ProseFinal[];
}

/** Fence languages the reference and rlms run. */
export const CODE_LANGS = new Set(['repl', 'python', 'py', 'python3']);

const FENCE = /^[ \t\uFEFF\u200B]*(`{3,}|~{3,})[ \t]*(.*)$/;
const FINAL_LINE = /^[\s>*_#-]*(FINAL_VAR|FINAL)\s*\(/;

/**
 * Reads the argument of a call whose `(` is at `open`: up to the matching `)` outside string
 * literals; the rest of the text when it never closes.
 */
export function balancedArgument(text: string, open: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let index = open; index < text.length; index++) {
    const char = text[index]!;
    if (quote !== undefined) {
      if (char === '\\') index++;
      else if (text.startsWith(quote, index)) {
        index += quote.length - 1;
        quote = undefined;
      }
      continue;
    }
    if (char === '"' || char === "'") {
      quote = text.startsWith(char.repeat(3), index) ? char.repeat(3) : char;
      index += quote.length - 1;
    } else if (char === '(') depth++;
    else if (char === ')') {
      depth--;
      if (depth === 0) return text.slice(open + 1, index);
    }
  }
  return text.slice(open + 1);
}

/**
 * Scans a response: fenced blocks (a line inside a block that starts with the fence closes it, even
 * with text glued on) and final lines outside fences.
 */
export function scanResponse(text: string): ScannedResponse {
  const lines = text.split(/\r?\n/);
  const blocks: ScannedBlock[] = [];
  const proseFinals: ProseFinal[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const open = FENCE.exec(line);
    if (open === null) {
      const final = FINAL_LINE.exec(line);
      if (final !== null) {
        const rest = lines.slice(index).join('\n');
        const start = rest.indexOf('(', rest.indexOf(final[1]!));
        proseFinals.push({
          kind: final[1] as 'FINAL' | 'FINAL_VAR',
          argument: balancedArgument(rest, start).trim(),
          line: line.trim(),
          afterCode: blocks.some((block) => CODE_LANGS.has(block.lang)),
        });
      }
      index++;
      continue;
    }
    const fence = open[1]!;
    const lang = (open[2] ?? '').trim().split(/\s+/)[0]!.toLowerCase();
    const body: string[] = [];
    let closed = false;
    let gluedClose: string | undefined;
    index++;
    while (index < lines.length) {
      const inner = lines[index]!;
      index++;
      if (inner.trimStart().startsWith(fence.slice(0, 3))) {
        closed = true;
        const after = inner.trimStart().replace(/^(`{3,}|~{3,})/, '').trim();
        if (after !== '') gluedClose = inner.trim();
        break;
      }
      body.push(inner);
    }
    blocks.push({ lang, code: body.join('\n'), closed, ...(gluedClose === undefined ? {} : { gluedClose }) });
  }
  return { blocks, proseFinals };
}

/** The first `FINAL(` call in `text` and its balanced argument, if any. */
export function firstFinalCall(text: string): { readonly kind: 'FINAL' | 'FINAL_VAR'; readonly argument: string } | undefined {
  const match = /\b(FINAL_VAR|FINAL)\s*\(/.exec(text);
  if (match === null) return undefined;
  return { kind: match[1] as 'FINAL' | 'FINAL_VAR', argument: balancedArgument(text, match.index + match[0].length - 1).trim() };
}

/** Shortens `text` to one line of at most `max` characters for reports. */
export function snippet(text: string, max = 120): string {
  const flat = text.replace(/\n/g, '⏎').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
