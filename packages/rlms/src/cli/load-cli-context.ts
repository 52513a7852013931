import { stat } from 'node:fs/promises';
import { normalize, resolve, sep } from 'node:path';
import { ContextError } from '@rlms/core';
import { loadDirectory } from '../loaders/load-directory.js';
import { loadFiles } from '../loaders/load-files.js';
import type { SkipHandler } from '../loaders/read-text-file.js';

/** Options of {@link loadCliContext}. */
export interface CliContextOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly maxFileBytes?: number;
  /** Honour `.gitignore` files in folders. Default `true`. */
  readonly gitignore?: boolean;
  readonly cwd?: string;
  /** Reads all of stdin (for `-`). */
  readonly readStdin: () => Promise<string>;
  readonly onSkip?: SkipHandler;
}

/** A context loaded from `--context` arguments. */
export interface CliContext {
  /** A string (stdin alone) or a record of named documents. */
  readonly context: string | Record<string, string>;
  readonly documents: number;
  readonly chars: number;
}

/** True when a `--context` argument is a glob pattern rather than a path. */
function isGlob(entry: string): boolean {
  return /[*?[\]{}]/.test(entry);
}

/**
 * Checks that every `--context` path (not `-`, not a glob) exists, without reading anything: the
 * user's input is checked before the environment (API keys, packages). Throws `ContextError`
 * (`'context-not-found'`) naming the first missing one.
 */
export async function checkContextPaths(entries: readonly string[], cwd: string = process.cwd()): Promise<void> {
  for (const entry of entries) {
    if (entry === '-' || isGlob(entry)) continue;
    const info = await stat(resolve(cwd, entry)).catch(() => undefined);
    if (info === undefined) throw new ContextError(`No such file or folder: ${entry}.`, { code: 'context-not-found' });
  }
}

function posix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Loads `--context` arguments: `-` reads stdin; a folder is loaded with `loadDirectory` (keys relative
 * to it when it is the only argument, else prefixed with its path); a file or glob with `loadFiles`
 * (keys relative to the working folder). Throws `ContextError` for missing paths, special files
 * (a FIFO, socket or device named on the command line: `'context-not-regular'`, never opened) and
 * empty results.
 */
export async function loadCliContext(entries: readonly string[], options: CliContextOptions): Promise<CliContext> {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (entries.length === 1 && entries[0] === '-') {
    const text = await options.readStdin();
    if (text.length === 0) throw new ContextError('Standard input is empty: pipe the text to read, e.g. `cat notes.md | rlms ask "…" --context -`.', { code: 'context-empty' });
    return { context: text, documents: 1, chars: text.length };
  }
  // No prototype: files named `__proto__`, `constructor` or `toString` are keys like any other.
  const documents: Record<string, string> = Object.create(null) as Record<string, string>;
  const add = (key: string, text: string) => {
    documents[key] = text;
  };
  const directoryOptions = {
    ...(options.include.length === 0 ? {} : { include: options.include }),
    ...(options.exclude.length === 0 ? {} : { exclude: options.exclude }),
    ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
    ...(options.gitignore === false ? { gitignore: false } : {}),
    ...(options.onSkip === undefined ? {} : { onSkip: options.onSkip }),
  };
  let stdinUsed = false;
  for (const entry of entries) {
    if (entry === '-') {
      if (stdinUsed) continue;
      stdinUsed = true;
      add('stdin', await options.readStdin());
      continue;
    }
    const info = await stat(resolve(cwd, entry)).catch(() => undefined);
    if (info?.isDirectory()) {
      const loaded = await loadDirectory(resolve(cwd, entry), directoryOptions);
      // One folder: keys relative to it. Several arguments: keys start with the folder as typed.
      const prefix = entries.length === 1 ? '' : posix(normalize(entry)).replace(/\/+$/, '').replace(/^\.\/?/, '');
      for (const [key, text] of Object.entries(loaded)) add(prefix === '' ? key : `${prefix}/${key}`, text);
      continue;
    }
    if (info === undefined && !isGlob(entry)) throw new ContextError(`No such file or folder: ${entry}.`, { code: 'context-not-found' });
    const loaded = await loadFiles(entry, {
      cwd,
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
      ...(options.onSkip === undefined ? {} : { onSkip: options.onSkip }),
    });
    for (const [key, text] of Object.entries(loaded)) add(key, text);
  }
  const values = Object.values(documents);
  if (values.length === 0 || values.every((text) => text.length === 0)) {
    throw new ContextError(`The context is empty: ${entries.join(', ')} gave no text.`, { code: 'context-empty' });
  }
  return { context: documents, documents: values.length, chars: values.reduce((sum, text) => sum + text.length, 0) };
}
