import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** One `.gitignore` (or exclude file) and where it applies. */
interface Layer {
  /**
   * For a file inside the walked tree: its folder relative to the walk root (`''` for the root).
   * For an ancestor of the walk root: `undefined`, and `prefix` is set.
   */
  readonly base: string | undefined;
  /** Ancestor layers: the walk root's path relative to the folder of the file (`'packages/app'`). */
  readonly prefix: string;
  readonly rules: Ignore;
}

const ignoreCase = process.platform === 'darwin' || process.platform === 'win32';

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

async function readIfFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
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
 * Immutable: `withFile` returns a new set for a subfolder.
 */
export class GitignoreRules {
  private constructor(private readonly layers: readonly Layer[]) {}

  /** No rules. */
  static empty(): GitignoreRules {
    return new GitignoreRules([]);
  }

  /**
   * Rules inherited by `root` from the enclosing git repository (if any): the `.gitignore` files of
   * its ancestors up to the folder holding `.git`, and `.git/info/exclude`. The root's own
   * `.gitignore` is not included (the walk adds it).
   */
  static async inherited(root: string): Promise<GitignoreRules> {
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
    if (gitRoot === undefined) return GitignoreRules.empty();
    const layers: Layer[] = [];
    const exclude = await readIfFile(join(gitRoot, '.git', 'info', 'exclude'));
    if (exclude !== undefined) layers.push({ base: undefined, prefix: toPosix(relative(gitRoot, root)), rules: ignore({ ignorecase: ignoreCase }).add(exclude) });
    for (const folder of ancestors.reverse()) {
      const text = await readIfFile(join(folder, '.gitignore'));
      if (text !== undefined) layers.push({ base: undefined, prefix: toPosix(relative(folder, root)), rules: ignore({ ignorecase: ignoreCase }).add(text) });
    }
    return new GitignoreRules(layers);
  }

  /** These rules plus a `.gitignore` found in `folder` (relative to the walk root, `''` for the root). */
  withFile(folder: string, text: string): GitignoreRules {
    return new GitignoreRules([...this.layers, { base: folder, prefix: '', rules: ignore({ ignorecase: ignoreCase }).add(text) }]);
  }

  /** These rules plus patterns applying from the walk root (e.g. an `exclude` option). */
  withPatterns(patterns: readonly string[]): GitignoreRules {
    if (patterns.length === 0) return this;
    return new GitignoreRules([...this.layers, { base: '', prefix: '', rules: ignore({ ignorecase: ignoreCase }).add([...patterns]) }]);
  }

  /** Whether `path` (relative to the walk root, `/`-separated) is ignored. */
  ignores(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const layer of this.layers) {
      let candidate: string;
      if (layer.base === undefined) candidate = layer.prefix === '' ? path : `${layer.prefix}/${path}`;
      else if (layer.base === '') candidate = path;
      else if (path.startsWith(`${layer.base}/`)) candidate = path.slice(layer.base.length + 1);
      else continue;
      const result = layer.rules.test(isDirectory ? `${candidate}/` : candidate);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}

/** Whether `path` (relative, `/`-separated) matches any of the gitignore-style `patterns`. */
export function createMatcher(patterns: readonly string[]): (path: string) => boolean {
  const rules = ignore({ ignorecase: ignoreCase }).add([...patterns]);
  return (path) => rules.ignores(path);
}
