/**
 * Checks the `path:line` references of an answer against the source tree it was given: does the
 * file exist, is the line in range, and, when the reference is followed by a quoted `code` span,
 * does that line really contain it.
 */

/** One `path:line` reference found in an answer. */
export interface CodeReference {
  readonly path: string;
  readonly line: number;
  /** The backticked code right after the reference, if any. */
  readonly code?: string;
  /** `'exact'`: the line contains `code`; `'line'`: the line exists (no code given); `'mismatch'`: it exists but says something else; `'missing'`: no such file or line. */
  readonly status: 'exact' | 'line' | 'mismatch' | 'missing';
}

const REFERENCE = /([\w@.-]+(?:\/[\w@.-]+)*\.[A-Za-z]\w*):(\d+)(?:\s*`([^`\n]+)`)?/g;

/** Finds and checks every `path:line` reference of `answer` against `files` (`{ 'engine/run/run.ts': text }`). */
export function checkReferences(answer: string, files: Readonly<Record<string, string>>): CodeReference[] {
  const lines = new Map<string, string[]>();
  const linesOf = (path: string): string[] | undefined => {
    if (!Object.hasOwn(files, path)) return undefined;
    let cached = lines.get(path);
    if (cached === undefined) lines.set(path, (cached = files[path]!.split('\n')));
    return cached;
  };
  const references: CodeReference[] = [];
  for (const match of answer.matchAll(REFERENCE)) {
    const [, path = '', number = '', code] = match;
    const line = Number(number);
    const text = linesOf(path)?.[line - 1];
    let status: CodeReference['status'];
    if (text === undefined || line < 1) status = 'missing';
    else if (code === undefined) status = 'line';
    else status = text.includes(code.trim()) ? 'exact' : 'mismatch';
    references.push({ path, line, ...(code === undefined ? {} : { code }), status });
  }
  return references;
}

/** One line summing up {@link checkReferences}. */
export function summarizeReferences(references: readonly CodeReference[]): string {
  if (references.length === 0) return 'references: the answer cites no path:line';
  const count = (status: CodeReference['status']) => references.filter((reference) => reference.status === status).length;
  const bad = references.filter((reference) => reference.status === 'missing' || reference.status === 'mismatch');
  const detail = bad.length === 0 ? '' : `; check these: ${bad.map((reference) => `${reference.path}:${reference.line} (${reference.status})`).join(', ')}`;
  return `references: ${references.length} path:line citations, ${count('exact')} quote their line exactly, ${count('line')} point to an existing line, ${count('mismatch')} mismatched, ${count('missing')} missing${detail}`;
}
