import { isPythonIdentifier } from '../../protocol/python-identifier.js';

/** A final answer written as text: `FINAL(answer)` or `FINAL_VAR(name)`. */
export type TextFinal = { readonly kind: 'FINAL'; readonly value: string } | { readonly kind: 'FINAL_VAR'; readonly name: string };

const START = /^[ \t*_]*(FINAL_VAR|FINAL)\(/gm;
const QUOTES = ['"""', "'''", '"', "'"] as const;

/**
 * Finds a text `FINAL(answer)` or `FINAL_VAR(name)` that starts a line (the first one). The argument
 * ends at the `)` that balances the opening one, so a sentence with parentheses after the call is not
 * part of the answer (`FINAL(42)\n(rows 1-3)` answers `42`); an argument that is one quoted string
 * ends with its closing quote, so parentheses inside it do not count, and loses its quotes. When the
 * parentheses never balance, the argument runs to the last `)` of the text (or the end of its line).
 * Serves every reply: iterations, the closing "answer now" call and the paper prompt style.
 */
export function findTextFinal(text: string): TextFinal | undefined {
  START.lastIndex = 0;
  for (let match = START.exec(text); match !== null; match = START.exec(text)) {
    const from = match.index + match[0].length;
    const argument = readArgument(text, from);
    if (match[1] === 'FINAL_VAR') {
      const name = argument.value.trim().replace(/^["'`]|["'`]$/g, '').trim();
      if (isPythonIdentifier(name)) return { kind: 'FINAL_VAR', name };
      continue;
    }
    return { kind: 'FINAL', value: argument.value.trim() };
  }
  return undefined;
}

/** The argument of a call whose `(` ends just before `from`: a quoted string's content, or the text up to the balancing `)`. */
function readArgument(text: string, from: number): { value: string } {
  const quoted = readQuoted(text, from);
  if (quoted !== undefined) return { value: quoted };
  let depth = 1;
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return { value: text.slice(from, index) };
  }
  const last = text.lastIndexOf(')');
  if (last >= from) return { value: text.slice(from, last) };
  const lineEnd = text.indexOf('\n', from);
  return { value: text.slice(from, lineEnd < 0 ? text.length : lineEnd) };
}

/** The content of a string literal that is the whole argument (`"…")`), or undefined. */
function readQuoted(text: string, from: number): string | undefined {
  let start = from;
  while (start < text.length && /\s/.test(text[start]!)) start++;
  const quote = QUOTES.find((candidate) => text.startsWith(candidate, start));
  if (quote === undefined) return undefined;
  let index = start + quote.length;
  while (index < text.length) {
    if (text[index] === '\\' && quote.length === 1) {
      index += 2;
      continue;
    }
    if (text.startsWith(quote, index)) break;
    if (quote.length === 1 && text[index] === '\n') return undefined;
    index++;
  }
  if (index >= text.length) return undefined;
  let after = index + quote.length;
  while (after < text.length && /[ \t]/.test(text[after]!)) after++;
  if (text[after] !== ')') return undefined;
  return text.slice(start + quote.length, index).trim();
}
