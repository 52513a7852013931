import { ContextError } from '@rlms/core';
import { parseGitignore, type GitignorePattern } from './gitignore-pattern.js';
import { GlobProgram } from './glob-program.js';
import { SubstringIndex } from './substring-index.js';

/**
 * Counts the pattern work of a load, shared by every rule set of one walk, and stops it (with
 * `ContextError`, code `'gitignore-too-complex'`) when it passes `limit`, so that no set of rules
 * can make a load run for minutes: the walk raises the limit as it meets entries.
 */
export class IgnoreWork {
  /** Candidate patterns looked at so far (found through their text, or wildcard-only). */
  patternChecks = 0;
  /** Patterns run against a path so far (each one a bounded automaton run). */
  patternTests = 0;
  /** Patterns compiled so far: each at most once, and only once it is a candidate for some path. */
  compiled = 0;
  /** Rules kept across every compiled file (comments, blank lines and repeated lines dropped). */
  rules = 0;
  /** Characters of ignore text compiled, across every file (patterns keep parts of it alive). */
  chars = 0;
  /** All the work done: candidates looked at plus automaton steps (states × characters). */
  steps = 0;
  /** Steps allowed so far. */
  limit = Number.POSITIVE_INFINITY;

  /** @param what names the load in the error (`'./src'`). */
  constructor(private readonly what = 'this load') {}

  /** Adds `steps` of work; throws `ContextError` (`'gitignore-too-complex'`) past `limit`. */
  charge(steps: number): void {
    this.steps += steps;
    if (this.steps <= this.limit) return;
    throw new ContextError(
      `The ignore rules for ${this.what} are too costly to apply (${this.rules} rules, over ${Math.floor(this.limit)} steps of matching work): simplify the .gitignore files (fewer patterns made only of wildcards such as \`*\`, \`?\`, \`[ab]*\`), or load without them (gitignore: false; rlms: --no-gitignore) and narrow with exclude patterns.`,
      { code: 'gitignore-too-complex' },
    );
  }
}

/** Characters of a pattern's required text put in the substring index (bounds its size; a prefix of required text is required too). */
const MAX_INDEXED_CHARS = 16;

/**
 * Most ignore rules one load compiles, across every file: bounds memory (about 1 KB a rule at
 * most). Real repositories have hundreds; more is an error, never a silent drop (dropped rules
 * could send ignored files to the model).
 */
export const MAX_IGNORE_RULES = 250_000;

/** Most characters of ignore text one load compiles, across every file (32 Mi). */
export const MAX_IGNORE_CHARS = 32 * 1024 * 1024;

interface Rule {
  readonly pattern: GitignorePattern;
  /** Position in the file after removing duplicates: a later rule wins over an earlier one. */
  readonly order: number;
  program: GlobProgram | undefined;
}

/**
 * The rules of one `.gitignore` file (or pattern list), parsed once. Matching a path costs a few
 * hash lookups (patterns without wildcards) and one pass over the path to find the wildcard
 * patterns whose plain text occurs in it (`.log` for `*.log`); only those are run, newest first,
 * never every rule: a 200,000-line file costs little more per path than a short one.
 */
export class CompiledIgnoreFile {
  private readonly rules: Rule[];
  /** Exact patterns by text, split by anchored (path) or not (name), folders-only or not: the last rule for each key. */
  private readonly exactName = new Map<string, Rule>();
  private readonly exactNameDir = new Map<string, Rule>();
  private readonly exactPath = new Map<string, Rule>();
  private readonly exactPathDir = new Map<string, Rule>();
  /** Wildcard patterns by the plain text they require, in the name or in the path. */
  private readonly nameIndex = new SubstringIndex();
  private readonly pathIndex = new SubstringIndex();
  /** Wildcard patterns with no plain text at all (`*`, `?*`): candidates for every path. */
  private readonly always: Rule[] = [];
  /** Marks candidates already collected for the current path (by rule order). */
  private readonly seen: Uint32Array;
  private generation = 0;

  /**
   * @param source the file's text, or a list of patterns.
   * @param sourceName names the file in errors (`'src/.gitignore'`).
   * @throws ContextError for a line too long to be a pattern (see `parseGitignore`), or when the
   * load's rules pass {@link MAX_IGNORE_RULES} or its text {@link MAX_IGNORE_CHARS} (`'gitignore-too-large'`).
   */
  constructor(
    source: string | readonly string[],
    sourceName: string,
    private readonly ignoreCase: boolean,
    private readonly work: IgnoreWork,
  ) {
    work.chars += typeof source === 'string' ? source.length : source.reduce((sum, line) => sum + line.length + 1, 0);
    if (work.chars > MAX_IGNORE_CHARS) {
      throw new ContextError(
        `${sourceName} brings the ignore files of this load to ${work.chars} characters, over the limit of ${MAX_IGNORE_CHARS}: shorten it, or load without .gitignore rules (gitignore: false; rlms: --no-gitignore) and narrow with exclude patterns.`,
        { code: 'gitignore-too-large' },
      );
    }
    const parsed = parseGitignore(source, sourceName);
    // A repeated line can never be the last match while its later copy exists: keep the last copy.
    const last = new Map<string, number>();
    parsed.forEach((pattern, index) => last.set(pattern.text, index));
    this.rules = [];
    for (const [index, pattern] of parsed.entries()) {
      if (last.get(pattern.text) === index) this.rules.push({ pattern, order: this.rules.length, program: undefined });
    }
    work.rules += this.rules.length;
    if (work.rules > MAX_IGNORE_RULES) {
      throw new ContextError(
        `${sourceName} brings the ignore rules of this load to ${work.rules}, over the limit of ${MAX_IGNORE_RULES}: shorten it, or load without .gitignore rules (gitignore: false; rlms: --no-gitignore) and narrow with exclude patterns.`,
        { code: 'gitignore-too-large' },
      );
    }
    this.seen = new Uint32Array(this.rules.length);
    for (const rule of this.rules) {
      const { pattern } = rule;
      if (pattern.exact !== undefined) {
        const map = pattern.anchored ? (pattern.directoryOnly ? this.exactPathDir : this.exactPath) : pattern.directoryOnly ? this.exactNameDir : this.exactName;
        map.set(this.fold(pattern.exact), rule);
      } else if (pattern.requiredText === '') {
        this.always.push(rule);
      } else {
        // Any part of the required text is required too: index a bounded prefix (bounded index size).
        (pattern.anchored ? this.pathIndex : this.nameIndex).add(this.fold(pattern.requiredText).slice(0, MAX_INDEXED_CHARS), rule.order);
      }
    }
  }

  /** Number of rules kept (comments, blank lines and duplicates dropped). */
  get size(): number {
    return this.rules.length;
  }

  private fold(text: string): string {
    return this.ignoreCase ? text.toLowerCase() : text;
  }

  /**
   * The last rule matching `path` (relative to the file's folder, `/`-separated, no trailing `/`),
   * or `undefined`. Folder-only rules match only when `isDirectory`.
   */
  match(path: string, isDirectory: boolean): GitignorePattern | undefined {
    if (this.rules.length === 0) return undefined;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const foldedName = this.fold(name);
    const foldedPath = this.fold(path);
    let best: Rule | undefined;
    const consider = (rule: Rule | undefined) => {
      if (rule !== undefined && (best === undefined || rule.order > best.order)) best = rule;
    };
    consider(this.exactName.get(foldedName));
    consider(this.exactPath.get(foldedPath));
    if (isDirectory) {
      consider(this.exactNameDir.get(foldedName));
      consider(this.exactPathDir.get(foldedPath));
    }

    // Candidates: wildcard rules whose plain text occurs in the name (or path), newer than `best`.
    if (++this.generation === 0xffffffff) {
      this.seen.fill(0);
      this.generation = 1;
    }
    const candidates: Rule[] = [];
    const collect = (order: number) => {
      this.work.patternChecks++;
      this.work.charge(1);
      if (this.seen[order] === this.generation) return;
      this.seen[order] = this.generation;
      const rule = this.rules[order]!;
      if ((best === undefined || order > best.order) && (isDirectory || !rule.pattern.directoryOnly)) candidates.push(rule);
    };
    this.nameIndex.search(foldedName, collect);
    this.pathIndex.search(foldedPath, collect);
    for (const rule of this.always) collect(rule.order);
    candidates.sort((a, b) => b.order - a.order);
    for (const rule of candidates) {
      if (this.test(rule, rule.pattern.anchored ? foldedPath : foldedName)) {
        consider(rule);
        break;
      }
    }
    return best?.pattern;
  }

  private test(rule: Rule, text: string): boolean {
    if (rule.program === undefined) {
      this.work.compiled++;
      rule.program = new GlobProgram(rule.pattern.parts, this.ignoreCase);
    }
    this.work.patternTests++;
    const { matched, steps } = rule.program.run(text);
    this.work.charge(steps);
    return matched;
  }
}
