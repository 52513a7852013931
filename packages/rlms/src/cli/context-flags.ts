import { ContextError } from '@rlms/core';
import { formatInteger, plural } from '../progress/format.js';
import type { SkipReason } from '../loaders/read-text-file.js';
import type { CliIO } from './cli-io.js';
import { loadCliContext, type CliContext } from './load-cli-context.js';
import { parseInteger, UsageError } from './usage-error.js';

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

/**
 * Loads the `--context` arguments, reporting skipped files on stderr: counts by reason in the summary
 * line, and each file with its reason (and the deciding `.gitignore` rule) with `verbose`.
 */
export async function loadContextFlags(
  values: { context?: string[]; include?: string[]; exclude?: string[]; 'max-file-bytes'?: string; 'no-gitignore'?: boolean },
  io: CliIO,
  command: string,
  report: { readonly quiet: boolean; readonly verbose: boolean },
): Promise<CliContext> {
  const entries = values.context ?? [];
  if (entries.length === 0) throw new UsageError('No --context given: pass a file, a folder, a glob or - for stdin, e.g. --context ./src.', command);
  const skipped = new Map<SkipReason, number>();
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
  }
  return loaded;
}
