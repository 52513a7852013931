import { ContextError } from '@rlms/core';
import type { GlobPart } from './glob-program.js';

/**
 * One line of a `.gitignore` file, parsed once: what it matches and how it can be found quickly.
 *
 * Syntax (gitignore(5)): blank lines and `#` comments match nothing; trailing spaces are dropped
 * unless escaped (`\ `); `!` negates; a trailing `/` matches folders only; a pattern with a `/`
 * elsewhere is anchored to the file's folder, else it matches a name at any depth; `*` and `?`
 * never match `/`; `[a-z]`, `[!a-z]` and `[[:alpha:]]` classes; `**` as a whole path segment matches
 * any number of folders; `\` escapes the next character.
 */
export interface GitignorePattern {
  /** The line as written (trailing spaces dropped), for reports. */
  readonly text: string;
  /** `!pattern`: re-includes what earlier lines excluded. */
  readonly negative: boolean;
  /** `pattern/`: matches folders only. */
  readonly directoryOnly: boolean;
  /** Matched against the path relative to the file's folder (the pattern has a `/`), else against the last path segment. */
  readonly anchored: boolean;
  /** The text matched, when the pattern has no wildcard (compared by equality, no regular expression). */
  readonly exact: string | undefined;
  /**
   * The longest run of plain characters every match contains (`'.log'` for `*.log`), used to find
   * candidate patterns for a path without testing them all; `''` when there is none (`*`, `?`).
   */
  readonly requiredText: string;
  /** The pattern as matching steps (unused when `exact` is set): see {@link GlobProgram}. */
  readonly parts: readonly GlobPart[];
}

/** POSIX classes git knows, in ASCII (git's own ctype), as code point ranges. `/` is removed when matching. */
const POSIX_CLASSES: Readonly<Record<string, readonly number[]>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  blank: [0x20, 0x20, 0x09, 0x09],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Parses a bracket expression starting at `start` (the `[`). Returns it and the index after it, or `undefined` (unterminated, unknown class, reversed range: git matches nothing). */
function parseBracket(body: string, start: number): { part: GlobPart; end: number } | undefined {
  let index = start + 1;
  let negate = false;
  if (body[index] === '!' || body[index] === '^') {
    negate = true;
    index++;
  }
  const ranges: number[] = [];
  let first = true;
  while (index < body.length) {
    let char = body[index]!;
    if (char === ']' && !first) return { part: { kind: 'class', negate, ranges }, end: index + 1 };
    first = false;
    if (char === '[' && body[index + 1] === ':') {
      const close = body.indexOf(':]', index + 2);
      const named = close < 0 ? undefined : POSIX_CLASSES[body.slice(index + 2, close)];
      if (named === undefined) return undefined;
      ranges.push(...named);
      index = close + 2;
      continue;
    }
    if (char === '\\') {
      if (index + 1 >= body.length) return undefined;
      char = body[++index]!;
    }
    index++;
    if (body[index] === '-' && index + 1 < body.length && body[index + 1] !== ']') {
      let high = body[index + 1]!;
      index += 2;
      if (high === '\\') {
        if (index >= body.length) return undefined;
        high = body[index++]!;
      }
      if (high.charCodeAt(0) < char.charCodeAt(0)) return undefined;
      ranges.push(char.charCodeAt(0), high.charCodeAt(0));
      continue;
    }
    ranges.push(char.charCodeAt(0), char.charCodeAt(0));
  }
  return undefined;
}

const NO_PARTS: readonly GlobPart[] = [];
// Steps without data are shared: a 200,000-line file holds one of each.
const STAR: GlobPart = { kind: 'star' };
const ONE: GlobPart = { kind: 'one' };
const ALL: GlobPart = { kind: 'all' };
const INSIDE: GlobPart = { kind: 'inside' };
const FOLDERS: GlobPart = { kind: 'folders' };

/** Translates a pattern body (no `!`, no trailing `/`, no leading `/`); `undefined` when it can never match. */
function translate(body: string): { parts: readonly GlobPart[]; exact: string | undefined; requiredText: string } | undefined {
  const parts: GlobPart[] = [];
  // Plain characters collected as code units, joined once (`+=` per character builds rope strings
  // that cost ~30 bytes a character, which a 200,000-line file multiplies).
  let chars: string[] = [];
  let longest = '';
  let wildcard = false;
  const endText = () => {
    if (chars.length === 0) return;
    const text = chars.join('');
    chars = [];
    parts.push({ kind: 'text', text });
    if (text.length > longest.length) longest = text;
  };
  const wild = (part: GlobPart) => {
    wildcard = true;
    endText();
    parts.push(part);
  };
  let index = 0;
  while (index < body.length) {
    const char = body[index]!;
    if (char === '\\') {
      if (index + 1 >= body.length) return undefined; // a trailing backslash: git matches nothing
      chars.push(body[index + 1]!);
      index += 2;
    } else if (char === '*') {
      let end = index;
      while (body[end] === '*') end++;
      const segmentStart = index === 0 || body[index - 1] === '/';
      const segmentEnd = end === body.length || body[end] === '/';
      if (end - index >= 2 && segmentStart && segmentEnd) {
        if (index === 0 && end === body.length) wild(ALL);
        else if (end === body.length) wild(INSIDE); // `dir/**`: everything inside
        else {
          wild(FOLDERS); // `**/x` and `a/**/b`: zero or more folders
          end++; // the `/` after `**` belongs to it
        }
      } else {
        wild(STAR);
      }
      index = end;
    } else if (char === '?') {
      wild(ONE);
      index++;
    } else if (char === '[') {
      const bracket = parseBracket(body, index);
      if (bracket === undefined) return undefined;
      wild(bracket.part);
      index = bracket.end;
    } else {
      chars.push(char);
      index++;
    }
  }
  endText();
  // Exact patterns are compared as text: no steps to keep.
  return wildcard ? { parts, exact: undefined, requiredText: longest } : { parts: NO_PARTS, exact: longest, requiredText: longest };
}

/** Drops trailing spaces unless escaped with a backslash. */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') {
    if (end >= 2 && line[end - 2] === '\\') break;
    end--;
  }
  return line.slice(0, end);
}

/** Parses one line. Returns `undefined` for blank lines, comments and patterns that can never match. */
export function parseGitignoreLine(rawLine: string): GitignorePattern | undefined {
  const text = trimTrailingSpaces(rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine);
  if (text === '' || text.startsWith('#')) return undefined;
  let body = text;
  const negative = body.startsWith('!');
  if (negative) body = body.slice(1);
  const directoryOnly = body.endsWith('/') && !body.endsWith('\\/');
  if (directoryOnly) body = body.replace(/\/+$/, '');
  const anchored = body.includes('/');
  if (body.startsWith('/')) body = body.slice(1);
  if (body === '') return undefined;
  const translated = translate(body);
  if (translated === undefined) return undefined;
  return { text, negative, directoryOnly, anchored, ...translated };
}

/** Longest pattern line accepted, in characters: longer than any path (git's own limit is 4,096 bytes). */
export const MAX_PATTERN_CHARS = 4096;

/**
 * Parses a whole file (or a list of patterns), dropping a leading byte-order mark. Lines keep their
 * order. Throws `ContextError` (code `'gitignore-invalid'`) for a line over {@link MAX_PATTERN_CHARS}
 * characters, naming `sourceName` and the line.
 */
export function parseGitignore(source: string | readonly string[], sourceName = 'ignore patterns'): GitignorePattern[] {
  const lines = typeof source === 'string' ? source.replace(/^\uFEFF/, '').split('\n') : source;
  const patterns: GitignorePattern[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.length > MAX_PATTERN_CHARS) {
      throw new ContextError(
        `${sourceName}, line ${index + 1}: a pattern of ${line.length} characters, longer than any path (limit ${MAX_PATTERN_CHARS}): remove or shorten it.`,
        { code: 'gitignore-invalid' },
      );
    }
    const pattern = parseGitignoreLine(line);
    if (pattern !== undefined) patterns.push(pattern);
  }
  return patterns;
}
