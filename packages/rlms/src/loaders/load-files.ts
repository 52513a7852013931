import { glob, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ContextError } from '@rlms/core';
import { DEFAULT_MAX_FILE_BYTES, readTextFile, type SkipHandler } from './read-text-file.js';

/** Options of {@link loadFiles}. */
export interface LoadFilesOptions {
  /** Folder that relative paths and patterns start from, and that keys are relative to. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Largest file loaded, in bytes; larger ones are skipped. Default 1 MiB. */
  readonly maxFileBytes?: number;
  /** Called for each file left out as binary, too large or unreadable. */
  readonly onSkip?: SkipHandler;
}

const GLOB_CHARS = /[*?[\]{}]/;

function keyOf(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  const key = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  return sep === '/' ? key : key.split(sep).join('/');
}

/**
 * Loads files by path or glob pattern (`'docs/*.md'`, `'src/**\/*.ts'`) as a record of named
 * documents: keys are paths relative to `cwd` (`/`-separated; absolute when outside it), values the
 * exact text. Binary and oversized files are skipped (`onSkip`).
 *
 * Throws `ContextError` for a path that does not exist or is a folder (code `'context-not-found'`;
 * use `loadDirectory` for folders), a pattern that matches nothing, or when nothing readable is
 * left (`'context-empty'`).
 */
export async function loadFiles(paths: string | readonly string[], options: LoadFilesOptions = {}): Promise<Record<string, string>> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: string[] = [];
  for (const entry of typeof paths === 'string' ? [paths] : paths) {
    if (GLOB_CHARS.test(entry)) {
      const matches: string[] = [];
      for await (const match of glob(entry, { cwd, exclude: (name) => name === 'node_modules' || name === '.git' })) {
        const absolute = resolve(cwd, match);
        if ((await stat(absolute).catch(() => undefined))?.isFile()) matches.push(absolute);
      }
      if (matches.length === 0) throw new ContextError(`No file matches ${entry}.`, { code: 'context-not-found' });
      files.push(...matches.sort());
      continue;
    }
    const absolute = resolve(cwd, entry);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) throw new ContextError(`No such file: ${entry}.`, { code: 'context-not-found' });
    if (info.isDirectory()) throw new ContextError(`${entry} is a folder: use loadDirectory for folders.`, { code: 'context-not-found' });
    files.push(absolute);
  }
  const documents: Record<string, string> = {};
  const skipped: string[] = [];
  for (const file of [...new Set(files)]) {
    const key = keyOf(cwd, file);
    const result = await readTextFile(file, maxFileBytes);
    if (result.ok) documents[key] = result.text;
    else {
      skipped.push(`${key} (${result.reason})`);
      options.onSkip?.(key, result.reason, result.detail);
    }
  }
  if (Object.keys(documents).length === 0) {
    throw new ContextError(`No readable text files among ${skipped.join(', ')}.`, { code: 'context-empty' });
  }
  return documents;
}
