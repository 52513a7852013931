import { glob, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ContextError } from '@rlms/core';
import { describeSpecialFile } from './read-regular-file.js';
import { DEFAULT_MAX_FILE_BYTES, readTextFile, type SkipHandler } from './read-text-file.js';

/** Options of {@link loadFiles}. */
export interface LoadFilesOptions {
  /** Folder that relative paths and patterns start from, and that keys are relative to. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Largest file loaded, in bytes; larger ones are skipped. Default 1 MiB. */
  readonly maxFileBytes?: number;
  /** Called for each file left out: binary, too large, unreadable, or (matched by a pattern) a FIFO, socket or device. */
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
 * Keys are kept whatever they are (`__proto__` and `constructor` included: the record has no prototype).
 *
 * Throws `ContextError` for a path that does not exist or is a folder (code `'context-not-found'`;
 * use `loadDirectory` for folders), a path naming a FIFO, socket or device (`'context-not-regular'`:
 * never opened, so a pipe with no writer cannot hang the load), a pattern that matches nothing, or
 * when nothing readable is left (`'context-empty'`).
 */
export async function loadFiles(paths: string | readonly string[], options: LoadFilesOptions = {}): Promise<Record<string, string>> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: string[] = [];
  const skippedEarly: { key: string; detail: string }[] = [];
  for (const entry of typeof paths === 'string' ? [paths] : paths) {
    if (GLOB_CHARS.test(entry)) {
      const matches: string[] = [];
      const specialBefore = skippedEarly.length;
      for await (const match of glob(entry, { cwd, exclude: (name) => name === 'node_modules' || name === '.git' })) {
        const absolute = resolve(cwd, match);
        const info = await stat(absolute).catch(() => undefined);
        if (info?.isFile()) matches.push(absolute);
        else if (info !== undefined && !info.isDirectory()) skippedEarly.push({ key: keyOf(cwd, absolute), detail: `${describeSpecialFile(info)}, not a regular file` });
      }
      if (matches.length === 0 && skippedEarly.length === specialBefore) throw new ContextError(`No file matches ${entry}.`, { code: 'context-not-found' });
      files.push(...matches.sort());
      continue;
    }
    const absolute = resolve(cwd, entry);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) throw new ContextError(`No such file: ${entry}.`, { code: 'context-not-found' });
    if (info.isDirectory()) throw new ContextError(`${entry} is a folder: use loadDirectory for folders.`, { code: 'context-not-found' });
    const special = describeSpecialFile(info);
    if (special !== undefined) {
      throw new ContextError(
        `${entry} is ${special}, not a regular file, and is not opened: load regular files and folders only (for a pipe, read it yourself and pass the text; with the CLI: \`cat ${entry} | rlms ask "…" --context -\`).`,
        { code: 'context-not-regular' },
      );
    }
    files.push(absolute);
  }
  // No prototype: a file named `__proto__` is a key like any other.
  const documents: Record<string, string> = Object.create(null) as Record<string, string>;
  const skipped: string[] = [];
  for (const { key, detail } of skippedEarly) {
    skipped.push(`${key} (special)`);
    options.onSkip?.(key, 'special', detail);
  }
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
