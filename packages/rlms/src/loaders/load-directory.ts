import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContextError } from '@rlms/core';
import { IgnoreWork } from './compiled-ignore-file.js';
import { createMatcher, GitignoreRules, readIgnoreFile } from './gitignore-rules.js';
import { DEFAULT_MAX_FILE_BYTES, readTextFile, type SkipHandler, type SkipReason } from './read-text-file.js';

/** Folders never loaded: version control internals and dependency folders. */
export const ALWAYS_SKIPPED_FOLDERS: readonly string[] = ['.git', '.hg', '.svn', 'node_modules'];

/** Files left out unless `defaultExcludes: false`: secrets that should not be sent to a model. */
export const DEFAULT_EXCLUDES: readonly string[] = ['.env', '.env.*', '*.pem', '*.key', 'id_rsa*', 'id_ed25519*', 'id_ecdsa*', '.npmrc', '.pypirc', '.netrc'];

/** Options of {@link loadDirectory}. */
export interface LoadDirectoryOptions {
  /** Load only files matching these gitignore-style patterns (`'*.ts'`, `'src/**'`). Default: every file. */
  readonly include?: string | readonly string[];
  /** Leave out files matching these gitignore-style patterns, on top of `.gitignore`. */
  readonly exclude?: string | readonly string[];
  /** Largest file loaded, in bytes; larger ones are skipped (`onSkip` reason `'too-large'`). Default 1 MiB. */
  readonly maxFileBytes?: number;
  /** Largest total loaded, in bytes; more throws `ContextError`. Default 256 MiB. */
  readonly maxTotalBytes?: number;
  /** Honour `.gitignore` files (nested ones and the enclosing repository's) and `.git/info/exclude`. Default `true`. */
  readonly gitignore?: boolean;
  /** Leave out likely secrets ({@link DEFAULT_EXCLUDES}: `.env*`, keys, `.npmrc`…). Default `true`. */
  readonly defaultExcludes?: boolean;
  /**
   * Called for each file or folder left out, with the reason: binary, too large, unreadable, a
   * symlink, a special file (FIFO, socket, device), ignored (with the deciding rule), or not
   * matching `include`. Nothing is left out without a call.
   */
  readonly onSkip?: SkipHandler;
  /** Called once the walk is done, with what it took (files, folders, ignore rules and the work of applying them). */
  readonly onStats?: (stats: LoadDirectoryStats) => void;
}

/** What a {@link loadDirectory} walk did. */
export interface LoadDirectoryStats {
  /** Files loaded. */
  readonly files: number;
  /** Files and folders left out (each also reported to `onSkip`). */
  readonly skipped: number;
  /** Entries (files and folders) the walk looked at. */
  readonly entries: number;
  /** Ignore rules in force, across every `.gitignore`, exclude file and pattern option (repeated lines counted once). */
  readonly ignoreRules: number;
  /** Rules looked at as candidates for some path: found through their text, never every rule for every path. */
  readonly patternChecks: number;
  /** Wildcard rules run against a path. */
  readonly patternTests: number;
  /** Wildcard rules compiled (each at most once). */
  readonly patternsCompiled: number;
}

/**
 * Work allowed to apply ignore rules: a fixed allowance plus a share per entry walked, in steps
 * (candidate rules looked at plus automaton steps). Real rule sets use a small fraction of it; a
 * hostile one ends the load with `ContextError` (`'gitignore-too-complex'`) instead of running for minutes.
 */
const IGNORE_WORK_ALLOWANCE = 20_000_000;
const IGNORE_WORK_PER_ENTRY = 10_000;

const PARALLEL_READS = 16;

const REASON_ORDER: readonly SkipReason[] = ['binary', 'too-large', 'unreadable', 'symlink', 'special', 'ignored', 'not-included'];
const REASON_WORDS: Readonly<Record<SkipReason, string>> = {
  binary: 'binary',
  'too-large': 'too large',
  unreadable: 'unreadable',
  symlink: 'symlink',
  special: 'special file',
  ignored: 'ignored (.gitignore, exclude patterns, .git or node_modules)',
  'not-included': 'not matching include',
};

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * Loads the text files of a folder as a record of named documents: keys are paths relative to
 * `path` with `/` separators (`'src/auth/login.ts'`), sorted, so answers can cite them; values are
 * the exact file text (no line numbers added).
 *
 * Left out: `.git`, `node_modules` and other VCS folders; whatever `.gitignore` files ignore
 * (nested ones, those of the enclosing repository, `.git/info/exclude`); likely secrets
 * (`.env*`, key files; see `defaultExcludes`); binary files (NUL bytes or invalid UTF-8); files over
 * `maxFileBytes`; symlinks (never followed).
 *
 * Keys are kept whatever they are: a file named `__proto__` or `constructor` is a document like any
 * other (the record has no prototype).
 *
 * `.gitignore` files are compiled once each and applied without testing every rule on every path
 * (a 200,000-line file costs little more per path than a short one); a `.gitignore` over 32 MiB,
 * a pattern line over 4,096 characters or rules needing more than a fixed work budget throw
 * `ContextError` (codes `'gitignore-too-large'`, `'gitignore-invalid'`, `'gitignore-too-complex'`)
 * rather than being dropped, since dropping them could send ignored files to the model.
 *
 * Throws `ContextError` when `path` is not a readable folder (code `'context-not-found'`), when no
 * file could be loaded (`'context-empty'`, saying how many were skipped and why), or when the
 * total exceeds `maxTotalBytes` (`'context-too-large'`).
 */
export async function loadDirectory(path: string, options: LoadDirectoryOptions = {}): Promise<Record<string, string>> {
  const root = resolve(path);
  let info;
  try {
    info = await lstat(root);
  } catch {
    throw new ContextError(`No such folder: ${path}.`, { code: 'context-not-found' });
  }
  if (!info.isDirectory()) throw new ContextError(`Not a folder: ${path}. Use loadFiles for files.`, { code: 'context-not-found' });
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? 256 * 1024 * 1024;
  const work = new IgnoreWork(path);
  work.limit = IGNORE_WORK_ALLOWANCE;
  const includes = list(options.include);
  const isIncluded = includes.length === 0 ? () => true : createMatcher(includes, work);
  const useGitignore = options.gitignore ?? true;
  let rules = useGitignore ? await GitignoreRules.inherited(root, work) : GitignoreRules.empty(work);
  if (options.defaultExcludes !== false) rules = rules.withPatterns(DEFAULT_EXCLUDES, 'default excludes (likely secrets)');
  rules = rules.withPatterns(list(options.exclude), 'exclude option');

  const files: string[] = [];
  const skipped = new Map<SkipReason, number>();
  const skip = (file: string, reason: SkipReason, detail?: string) => {
    skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
    options.onSkip?.(file, reason, detail);
  };
  let entriesSeen = 0;

  const walk = async (folder: string, inherited: GitignoreRules): Promise<void> => {
    const absolute = folder === '' ? root : join(root, folder);
    let entries;
    try {
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (error) {
      skip(folder, 'unreadable', (error as Error).message);
      return;
    }
    let folderRules = inherited;
    if (useGitignore && entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      const text = await readIgnoreFile(join(absolute, '.gitignore'));
      if (text !== undefined) folderRules = inherited.withFile(folder, text);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      entriesSeen++;
      work.limit = IGNORE_WORK_ALLOWANCE + IGNORE_WORK_PER_ENTRY * entriesSeen;
      const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED_FOLDERS.includes(entry.name)) {
          skip(`${relative}/`, 'ignored', 'version control or dependency folder, never loaded');
          continue;
        }
        const decision = folderRules.decide(relative, true);
        if (decision?.ignored === true) skip(`${relative}/`, 'ignored', decision.detail);
        else await walk(relative, folderRules);
        continue;
      }
      const decision = folderRules.decide(relative, false);
      if (decision?.ignored === true) skip(relative, 'ignored', decision.detail);
      else if (!isIncluded(relative)) skip(relative, 'not-included', 'does not match the include patterns');
      else if (entry.isSymbolicLink()) skip(relative, 'symlink', 'symlinks are not followed');
      else if (entry.isFile()) files.push(relative);
      else skip(relative, 'special', 'a named pipe, socket or device, not a regular file');
    }
  };
  await walk('', rules);

  // No prototype: a file named `__proto__` is a key like any other.
  const documents: Record<string, string> = Object.create(null) as Record<string, string>;
  let loaded = 0;
  let total = 0;
  for (let start = 0; start < files.length; start += PARALLEL_READS) {
    const batch = files.slice(start, start + PARALLEL_READS);
    const results = await Promise.all(batch.map((file) => readTextFile(join(root, file), maxFileBytes)));
    for (const [index, result] of results.entries()) {
      const file = batch[index]!;
      if (!result.ok) {
        skip(file, result.reason, result.detail);
        continue;
      }
      total += Buffer.byteLength(result.text, 'utf8');
      if (total > maxTotalBytes) {
        throw new ContextError(
          `${path} holds more than maxTotalBytes (${maxTotalBytes} bytes) of text: narrow it with \`include\`/\`exclude\` or raise maxTotalBytes.`,
          { code: 'context-too-large' },
        );
      }
      documents[file] = result.text;
      loaded++;
    }
  }
  options.onStats?.({
    files: loaded,
    skipped: [...skipped.values()].reduce((sum, count) => sum + count, 0),
    entries: entriesSeen,
    ignoreRules: work.rules,
    patternChecks: work.patternChecks,
    patternTests: work.patternTests,
    patternsCompiled: work.compiled,
  });
  if (loaded === 0) {
    const reasons = [...skipped].sort(([a], [b]) => REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b)).map(([reason, count]) => `${count} ${REASON_WORDS[reason]}`);
    throw new ContextError(
      `No readable text files in ${path}${reasons.length === 0 ? ' (it is empty' + (includes.length > 0 ? ' or nothing matches `include`' : '') + ')' : ` (skipped: ${reasons.join(', ')})`}.`,
      { code: 'context-empty' },
    );
  }
  return documents;
}
