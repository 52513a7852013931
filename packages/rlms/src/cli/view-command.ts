import { defaultHtmlPath, openInBrowser, writeTrajectoryViewer } from '@rlms/viewer';
import { EXIT } from './ask-command.js';
import type { CliIO } from './cli-io.js';
import { parseInteger } from './flag-values.js';
import { VIEW_HELP } from './help.js';
import { parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

const FLAGS = {
  out: { type: 'string', short: 'o' },
  open: { type: 'boolean' },
  'max-string': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `rlms view run.json`: writes the self-contained HTML viewer of a trajectory (`@rlms/viewer`) and
 * prints its path; opens it with `--open`. Resolves with exit code 0; throws `UsageError` (exit 2) for
 * command-line mistakes and `TrajectoryFormatError` (exit 1) for a file that is missing, not JSON or
 * not a trajectory (see `main`). A browser that cannot be opened is reported, the page path still printed.
 */
export async function runView(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('view', argv, FLAGS, true);
  if (values.help === true) {
    io.stdout.write(VIEW_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'Give the trajectory file to show, e.g. `rlms view run.json`.' : `Give one trajectory file; got ${positionals.length}.`, 'view');
  }
  const maxStringChars = parseInteger('max-string', values['max-string'], 'view', 100);
  const path = positionals[0]!;
  const out = await writeTrajectoryViewer(path, {
    out: values.out ?? defaultHtmlPath(path),
    ...(maxStringChars === undefined ? {} : { maxStringChars }),
  });
  io.stdout.write(`${out}\n`);
  if (values.open === true) {
    try {
      await openInBrowser(out);
    } catch (error) {
      io.stderr.write(`rlms view: ${(error as Error).message}\n`);
    }
  }
  return EXIT.ok;
}
