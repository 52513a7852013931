import { parseArgs } from 'node:util';
import { RLMError } from '@rlms/core';
import { defaultHtmlPath, openInBrowser, writeTrajectoryViewer } from './write-trajectory-viewer.js';

/** Where `rlms view` writes. */
export interface ViewCommandIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Exit codes: 0 written, 1 error (unreadable file, not a trajectory), 2 usage mistake. */
export const VIEW_EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** `rlms view --help`. */
export const VIEW_HELP = `Usage: rlms view <trajectory.json> [options]

Writes a self-contained HTML page (no network access) showing the run as a tree: iterations with
the model's reasoning, code and output, sub-calls and child runs (collapsible), usage, cost,
timings and status per node, and a search. Prints the page's path.

Options:
  -o, --out <file>           where to write the page (default: the trajectory path with .html)
      --open                 open the page in the default browser (xdg-open / open / start)
      --max-string <n>       longest text kept whole in the page; longer ones keep head and tail
                             (default 200000)
  -h, --help                 this help
`;

function isParseArgsError(error: unknown): error is Error {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function usage(io: ViewCommandIO, message: string): number {
  io.stderr.write(`rlms view: ${message}\nRun \`rlms view --help\` for usage.\n`);
  return VIEW_EXIT.usage;
}

/**
 * `rlms view`: parses `argv` (the arguments after `view`), writes the viewer page and prints its
 * path (and opens it with `--open`). Resolves with the exit code; never throws.
 */
export async function runViewCommand(argv: readonly string[], io: ViewCommandIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let values: { out?: string; open?: boolean; 'max-string'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string', short: 'o' },
        open: { type: 'boolean' },
        'max-string': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return usage(io, isParseArgsError(error) ? error.message.replace(/^TypeError \[\w+\]: /, '') : String(error));
  }
  if (values.help === true) {
    io.stdout.write(VIEW_HELP);
    return VIEW_EXIT.ok;
  }
  if (positionals.length !== 1) {
    return usage(io, positionals.length === 0 ? 'give the trajectory file to show, e.g. `rlms view run.json`.' : `give one trajectory file; got ${positionals.length}.`);
  }
  const maxString = values['max-string'];
  if (maxString !== undefined && (!/^\d+$/.test(maxString) || Number(maxString) < 100)) {
    return usage(io, `--max-string must be an integer ≥ 100; got "${maxString}".`);
  }
  const path = positionals[0]!;
  let out: string;
  try {
    out = await writeTrajectoryViewer(path, {
      out: values.out ?? defaultHtmlPath(path),
      ...(maxString === undefined ? {} : { maxStringChars: Number(maxString) }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(RLMError.isInstance(error) ? `rlms view: ${message}\n` : `rlms view: could not write the page: ${message}\n`);
    return VIEW_EXIT.error;
  }
  io.stdout.write(`${out}\n`);
  if (values.open === true) {
    try {
      await openInBrowser(out);
    } catch (error) {
      io.stderr.write(`rlms view: ${(error as Error).message}\n`);
    }
  }
  return VIEW_EXIT.ok;
}
