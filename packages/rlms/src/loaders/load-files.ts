import { glob, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ContextError } from '@rlms/core';
import { describeSpecialFile } from './read-regular-file.js';
import { DEFAULT_MAX_FILE_BYTES, readTextFile, type SkipHandler } from './read-text-file.js';

/** Options of {@link loadFiles}. */
export interface LoadFilesOptions {
  /** Folder that relative paths and patterns start from, and that keys are relative to. Default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Largest file loaded from a glob match, in bytes; larger ones are skipped (`onSkip` reason
   * `'too-large'`). Default 1 MiB. A file named by its path is loaded whatever this says, up to
   * {@link MAX_NAMED_FILE_BYTES} (or `maxFileBytes` when larger).
   */
  readonly maxFileBytes?: number;
  /** Called for each file left out: binary, too large, unreadable, or (matched by a pattern) a FIFO, socket or device. */
  readonly onSkip?: SkipHandler;
}

/**
 * Largest file loaded when named by its path (256 MiB, as much as the CLI reads from stdin): the user
 * asked for that file, so the per-file limit meant for folders and globs does not apply. A larger
 * `maxFileBytes` raises it.
 */
export const MAX_NAMED_FILE_BYTES = 256 * 1024 * 1024;

const GLOB_CHARS = /[*?[\]{}]/;

function keyOf(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  const key = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  return sep === '/' ? key : key.split(sep).join('/');
}

/**
 * Loads files by path or glob pattern (`'docs/*.md'`, `'src/**\/*.ts'`) as a record of named
 * documents: keys are paths relative to `cwd` (`/`-separated; absolute when outside it), values the
 * exact text. Binary files, and files matched by a pattern but larger than `maxFileBytes`, are
 * skipped (`onSkip`); a file named by its path is loaded whatever its size up to
 * {@link MAX_NAMED_FILE_BYTES} (`'context-too-large'` beyond).
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
  const namedFileBytes = Math.max(MAX_NAMED_FILE_BYTES, maxFileBytes);
  const files: string[] = [];
  const named = new Set<string>();
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
    if (info.size > namedFileBytes) {
      throw new ContextError(
        `${entry} holds ${info.size} bytes, more than the ${namedFileBytes} bytes a named file may hold: split it, or raise the limit with maxFileBytes (CLI: --max-file-bytes ${info.size}) if the sandbox can take it.`,
        { code: 'context-too-large' },
      );
    }
    named.add(absolute);
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
    const result = await readTextFile(file, named.has(file) ? namedFileBytes : maxFileBytes);
    if (!result.ok && result.reason === 'too-large' && named.has(file)) {
      // Grew past the limit between `stat` and reading.
      throw new ContextError(`${keyOf(cwd, file)} holds more than ${namedFileBytes} bytes: split it, or raise the limit with maxFileBytes (CLI: --max-file-bytes).`, { code: 'context-too-large' });
    }
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
