/**
 * One-character escapes that JSON (`json.dumps`, `JSON.stringify`) and Python's `repr`/`str` of a
 * container write; `\uXXXX`, `\xXX` and `\UXXXXXXXX` are decoded too. Anything else after a
 * backslash (`\d` in a regex, a Windows path) is left as it is.
 */
const SIMPLE: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', '/': '/' };

/** Hex digits after a `\u` (4), `\x` (2) or `\U` (8). */
const HEX_DIGITS: Readonly<Record<string, number>> = { u: 4, x: 2, U: 8 };

/** Times escapes are undone: `json.dumps(str(context))` escapes twice. */
const MAX_LEVELS = 2;

/** The value of `count` hex digits at `start`, or -1 when they are not all hex digits. */
function hexAt(text: string, start: number, count: number): number {
  if (start + count > text.length) return -1;
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const code = text.charCodeAt(index);
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;
    if (digit === -1) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * `text` with one level of JSON / Python-repr backslash escapes undone, leniently: an escape that
 * is neither (or cut short, as at a truncation mark) stays as written. `\uXXXX` surrogate pairs
 * (`json.dumps` of an emoji) become the character again. Linear in the length of `text`.
 */
function unescapeOnce(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let at = text.indexOf('\\'); at !== -1 && at + 1 < text.length; at = text.indexOf('\\', at)) {
    const kind = text[at + 1]!;
    let replacement = SIMPLE[kind];
    let length = 2;
    const digits = HEX_DIGITS[kind];
    if (digits !== undefined) {
      const value = hexAt(text, at + 2, digits);
      replacement = value === -1 || value > 0x10ffff ? undefined : String.fromCodePoint(value);
      length = 2 + digits;
    }
    if (replacement === undefined) {
      at += 1;
      continue;
    }
    parts.push(text.slice(copied, at), replacement);
    copied = at + length;
    at = copied;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * The forms of `text` worth searching for document excerpts: `text` itself, then, when it holds
 * backslash escapes, the text they stand for (one and two levels deep). A model that stringifies
 * the context (`json.dumps(context)`, `str(context)`, `repr(doc)`) sends documents with every
 * newline and quote escaped; their unescaped form matches the documents again.
 */
export function unescapedForms(text: string): string[] {
  const forms = [text];
  let current = text;
  for (let level = 0; level < MAX_LEVELS && current.includes('\\'); level++) {
    const next = unescapeOnce(current);
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}
