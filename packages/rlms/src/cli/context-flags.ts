import { ContextError } from '@rlms/core';
import { formatInteger, plural } from '../progress/format.js';
import { DEFAULT_MAX_FILE_BYTES, type SkipReason } from '../loaders/read-text-file.js';
import type { CliIO } from './cli-io.js';
import { checkContextPaths, loadCliContext, type CliContext } from './load-cli-context.js';
import { parseInteger } from './flag-values.js';
import { UsageError } from './usage-error.js';

/** `parseArgs` definitions of the context flags shared by `ask` and `estimate`. */
export const CONTEXT_FLAGS = {
  context: { type: 'string', short: 'c', multiple: true },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'max-file-bytes': { type: 'string' },
  'no-gitignore': { type: 'boolean' },
} as const;

/** How the context summary line names each skip reason. */
const REASON_WORDS: Readonly<Record<SkipReason, string>> = {
  binary: 'binary',
  'too-large': 'too large',
  unreadable: 'unreadable',
  symlink: 'symlinks',
  special: 'special files',
  ignored: 'ignored',
  'not-included': 'not matching --include',
};

/** Files over the limit named on one line (the rest counted). */
const TOO_LARGE_NAMED = 5;

/** The stderr line naming files skipped as too large, and the flag that includes them. */
function describeTooLarge(paths: readonly string[], maxFileBytes: number): string {
  const shown = paths.slice(0, TOO_LARGE_NAMED).join(', ');
  const more = paths.length > TOO_LARGE_NAMED ? ` and ${formatInteger(paths.length - TOO_LARGE_NAMED)} more` : '';
  return `rlms: skipped ${plural(paths.length, 'file')} over ${formatInteger(maxFileBytes)} bytes: ${shown}${more}; include them with --max-file-bytes <n> or name them with --context <file>\n`;
}

/** Values of the context flags as `parseArgs` returns them. */
export interface ContextFlagValues {
  context?: string[];
  include?: string[];
  exclude?: string[];
  'max-file-bytes'?: string;
  'no-gitignore'?: boolean;
}

/**
 * Checks the context flags without reading any file: at least one `--context`, a valid
 * `--max-file-bytes`, and every named path existing. Throws `UsageError` or `ContextError`.
 */
export async function checkContextFlags(values: ContextFlagValues, io: CliIO, command: string): Promise<void> {
  const entries = values.context ?? [];
  if (entries.length === 0) throw new UsageError('No --context given: pass a file, a folder, a glob or - for stdin, e.g. --context ./src.', command);
  parseInteger('max-file-bytes', values['max-file-bytes'], command);
  await checkContextPaths(entries, io.cwd);
}

/**
 * Loads the `--context` arguments, reporting skipped files on stderr: counts by reason in the summary
 * line, and each file with its reason (and the deciding `.gitignore` rule) with `verbose`.
 */
export async function loadContextFlags(
  values: ContextFlagValues,
  io: CliIO,
  command: string,
  report: { readonly quiet: boolean; readonly verbose: boolean },
): Promise<CliContext> {
  const entries = values.context ?? [];
  if (entries.length === 0) throw new UsageError('No --context given: pass a file, a folder, a glob or - for stdin, e.g. --context ./src.', command);
  const skipped = new Map<SkipReason, number>();
  const tooLarge: string[] = [];
  const maxFileBytes = parseInteger('max-file-bytes', values['max-file-bytes'], command);
  const loaded = await loadCliContext(entries, {
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
    ...(values['no-gitignore'] === true ? { gitignore: false } : {}),
    cwd: io.cwd,
    readStdin: () => io.readStdin(),
    onSkip: (path, reason, detail) => {
      skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      if (reason === 'too-large') tooLarge.push(path);
      if (report.verbose && !report.quiet) io.stderr.write(`rlms: skipped ${path} (${reason}${detail === undefined ? '' : `: ${detail}`})\n`);
    },
  }).catch((error: unknown) => {
    if (ContextError.isInstance(error)) throw error;
    throw new ContextError(`Cannot load the context: ${(error as Error).message}`, { code: 'context-unreadable', cause: error });
  });
  if (!report.quiet) {
    const skips = [...skipped].map(([reason, count]) => `${count} ${REASON_WORDS[reason]}`).join(', ');
    io.stderr.write(
      `rlms: context: ${typeof loaded.context === 'string' ? 'stdin' : plural(loaded.documents, 'file')}, ${formatInteger(loaded.chars)} characters${skips === '' ? '' : ` (skipped ${skips})`}\n`,
    );
    if (tooLarge.length > 0) io.stderr.write(describeTooLarge(tooLarge, maxFileBytes ?? DEFAULT_MAX_FILE_BYTES));
  }
  return loaded;
}
