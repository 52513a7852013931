import { stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ContextError } from '@rlms/core';
import { CompiledIgnoreFile, IgnoreWork } from './compiled-ignore-file.js';
import { readRegularFile } from './read-regular-file.js';

/** Largest `.gitignore` (or exclude file) read, in bytes. A larger one is an error, not silently dropped: its rules may hide secrets. */
export const MAX_IGNORE_FILE_BYTES = 32 * 1024 * 1024;

/** One `.gitignore` (or exclude file, or pattern list) and where it applies. */
interface Layer {
  /**
   * For a file inside the walked tree: its folder relative to the walk root (`''` for the root).
   * For an ancestor of the walk root: `undefined`, and `prefix` is set.
   */
  readonly base: string | undefined;
  /** Ancestor layers: the walk root's path relative to the folder of the file (`'packages/app'`). */
  readonly prefix: string;
  /** Ancestor layers: the walk root itself is inside a folder these rules ignore. */
  readonly rootIgnored: string | undefined;
  /** Where the rules come from, for reports (`'src/.gitignore'`, `'exclude option'`). */
  readonly source: string;
  readonly rules: CompiledIgnoreFile;
}

/** Why a path is ignored or re-included: the deciding pattern and its file. */
export interface IgnoreDecision {
  readonly ignored: boolean;
  /** `'src/.gitignore: *.log'`. */
  readonly detail: string;
}

const ignoreCase = process.platform === 'darwin' || process.platform === 'win32';

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Reads an ignore file: `undefined` when absent or not a regular file (a FIFO named `.gitignore`
 * is not opened); throws `ContextError` (code `'gitignore-too-large'`) over {@link MAX_IGNORE_FILE_BYTES}.
 */
export async function readIgnoreFile(path: string): Promise<string | undefined> {
  const result = await readRegularFile(path, MAX_IGNORE_FILE_BYTES);
  if (result.ok) return result.bytes.toString('utf8');
  if (result.reason === 'too-large') {
    throw new ContextError(
      `${path} is ${result.size} bytes: ignore files over ${MAX_IGNORE_FILE_BYTES} bytes are not read, and loading without its rules could send ignored files (secrets) to the model. Shorten it, or load without .gitignore rules (gitignore: false; rlms: --no-gitignore) and narrow with exclude patterns.`,
      { code: 'gitignore-too-large' },
    );
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Git's ignore rules for a walk: `.gitignore` files of the walk root's ancestors up to the
 * repository root (and its `.git/info/exclude`), plus each `.gitignore` met inside the tree. Deeper
 * files win over shallower ones, and later lines over earlier ones (negations `!` included), as in git.
 * Each file is compiled once ({@link CompiledIgnoreFile}); matching a path never tests every rule.
 * Immutable: `withFile` returns a new set for a subfolder. `work` counts the pattern work of the walk.
 */
export class GitignoreRules {
  private constructor(
    private readonly layers: readonly Layer[],
    /** Pattern work shared by every rule set derived from this one. */
    readonly work: IgnoreWork,
  ) {}

  /** No rules. */
  static empty(work: IgnoreWork = new IgnoreWork()): GitignoreRules {
    return new GitignoreRules([], work);
  }

  /**
   * Rules inherited by `root` from the enclosing git repository (if any): the `.gitignore` files of
   * its ancestors up to the folder holding `.git`, and `.git/info/exclude`. The root's own
   * `.gitignore` is not included (the walk adds it).
   */
  static async inherited(root: string, work: IgnoreWork = new IgnoreWork()): Promise<GitignoreRules> {
    const ancestors: string[] = [];
    let current = dirname(root);
    let gitRoot: string | undefined = (await exists(join(root, '.git'))) ? root : undefined;
    while (gitRoot === undefined) {
      ancestors.push(current);
      if (await exists(join(current, '.git'))) {
        gitRoot = current;
        break;
      }
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
    if (gitRoot === undefined) return GitignoreRules.empty(work);
    const layers: Layer[] = [];
    const ancestorLayer = (folder: string, text: string, source: string): Layer => {
      const rules = new CompiledIgnoreFile(text, source, ignoreCase, work);
      const prefix = toPosix(relative(folder, root));
      return { base: undefined, prefix, rootIgnored: ignoredFolderOnTheWay(rules, prefix), source, rules };
    };
    const exclude = await readIgnoreFile(join(gitRoot, '.git', 'info', 'exclude'));
    if (exclude !== undefined) layers.push(ancestorLayer(gitRoot, exclude, '.git/info/exclude'));
    for (const folder of ancestors.reverse()) {
      const text = await readIgnoreFile(join(folder, '.gitignore'));
      if (text !== undefined) layers.push(ancestorLayer(folder, text, `${toPosix(relative(root, folder))}/.gitignore`));
    }
    return new GitignoreRules(layers, work);
  }

  /** These rules plus a `.gitignore` found in `folder` (relative to the walk root, `''` for the root). */
  withFile(folder: string, text: string): GitignoreRules {
    const source = folder === '' ? '.gitignore' : `${folder}/.gitignore`;
    return new GitignoreRules([...this.layers, { base: folder, prefix: '', rootIgnored: undefined, source, rules: new CompiledIgnoreFile(text, source, ignoreCase, this.work) }], this.work);
  }

  /** These rules plus patterns applying from the walk root (e.g. an `exclude` option), named `source` in reports. */
  withPatterns(patterns: readonly string[], source: string): GitignoreRules {
    if (patterns.length === 0) return this;
    return new GitignoreRules([...this.layers, { base: '', prefix: '', rootIgnored: undefined, source, rules: new CompiledIgnoreFile(patterns, source, ignoreCase, this.work) }], this.work);
  }

  /**
   * The decision for `path` (relative to the walk root, `/`-separated): ignored (and by which
   * pattern), re-included by a `!` pattern, or `undefined` when no rule speaks about it.
   */
  decide(path: string, isDirectory: boolean): IgnoreDecision | undefined {
    let decision: IgnoreDecision | undefined;
    for (const layer of this.layers) {
      if (layer.rootIgnored !== undefined) {
        decision = { ignored: true, detail: `${layer.source}: ${layer.rootIgnored}` };
        continue;
      }
      let candidate: string;
      if (layer.base === undefined) candidate = layer.prefix === '' ? path : `${layer.prefix}/${path}`;
      else if (layer.base === '') candidate = path;
      else if (path.startsWith(`${layer.base}/`)) candidate = path.slice(layer.base.length + 1);
      else continue;
      const pattern = layer.rules.match(candidate, isDirectory);
      if (pattern !== undefined) decision = { ignored: !pattern.negative, detail: `${layer.source}: ${pattern.text}` };
    }
    return decision;
  }

  /** Whether `path` (relative to the walk root, `/`-separated) is ignored. */
  ignores(path: string, isDirectory: boolean): boolean {
    return this.decide(path, isDirectory)?.ignored === true;
  }
}

/** The pattern ignoring a folder on the way from the rules' folder to the walk root (`prefix`), if any. */
function ignoredFolderOnTheWay(rules: CompiledIgnoreFile, prefix: string): string | undefined {
  if (prefix === '' || rules.size === 0) return undefined;
  const parts = prefix.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const pattern = rules.match(parts.slice(0, depth).join('/'), true);
    if (pattern !== undefined && !pattern.negative) return pattern.text;
  }
  return undefined;
}

/**
 * Whether `path` (relative, `/`-separated, a file) matches any of the gitignore-style `patterns`,
 * itself or through one of its folders (`src/` matches `src/a.ts`), as `git` would ignore it.
 */
export function createMatcher(patterns: readonly string[], work: IgnoreWork = new IgnoreWork()): (path: string) => boolean {
  const rules = new CompiledIgnoreFile(patterns, 'include patterns', ignoreCase, work);
  return (path) => {
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const isFile = depth === parts.length;
      const pattern = rules.match(isFile ? path : parts.slice(0, depth).join('/'), !isFile);
      if (pattern !== undefined && !pattern.negative) return true;
    }
    return false;
  };
}
