import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContextError } from '@rlms/core';
import { createMatcher, GitignoreRules } from './gitignore-rules.js';
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
  /** Called for each file left out as binary, too large, unreadable or a symlink. */
  readonly onSkip?: SkipHandler;
}

const PARALLEL_READS = 16;

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
  const includes = list(options.include);
  const isIncluded = includes.length === 0 ? () => true : createMatcher(includes);
  const useGitignore = options.gitignore ?? true;
  let rules = useGitignore ? await GitignoreRules.inherited(root) : GitignoreRules.empty();
  rules = rules.withPatterns([...(options.defaultExcludes === false ? [] : DEFAULT_EXCLUDES), ...list(options.exclude)]);

  const files: string[] = [];
  const skipped = new Map<SkipReason, number>();
  const skip = (file: string, reason: SkipReason, detail?: string) => {
    skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
    options.onSkip?.(file, reason, detail);
  };
  let ignoredCount = 0;

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
      folderRules = inherited.withFile(folder, await readFile(join(absolute, '.gitignore'), 'utf8').catch(() => ''));
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED_FOLDERS.includes(entry.name) || folderRules.ignores(relative, true)) continue;
        await walk(relative, folderRules);
      } else if (folderRules.ignores(relative, false)) {
        ignoredCount++;
      } else if (!isIncluded(relative)) {
        continue;
      } else if (entry.isSymbolicLink()) {
        skip(relative, 'symlink', 'symlinks are not followed');
      } else if (entry.isFile()) {
        files.push(relative);
      } else {
        skip(relative, 'special', 'not a regular file');
      }
    }
  };
  await walk('', rules);

  const documents: Record<string, string> = {};
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
    }
  }
  if (Object.keys(documents).length === 0) {
    const reasons = [...skipped].map(([reason, count]) => `${count} ${reason}`);
    if (ignoredCount > 0) reasons.push(`${ignoredCount} ignored by .gitignore or exclude patterns`);
    throw new ContextError(
      `No readable text files in ${path}${reasons.length === 0 ? ' (it is empty' + (includes.length > 0 ? ' or nothing matches `include`' : '') + ')' : ` (skipped: ${reasons.join(', ')})`}.`,
      { code: 'context-empty' },
    );
  }
  return documents;
}
