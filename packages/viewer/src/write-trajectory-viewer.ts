import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writePrivateFile } from '@rlms/core';
import { assertTrajectory } from './prepare-trajectory.js';
import { renderTrajectoryHtml, type RenderOptions } from './render-trajectory-html.js';
import { TrajectoryFormatError } from './trajectory-format-error.js';

/** Options of `writeTrajectoryViewer`. */
export interface WriteViewerOptions extends RenderOptions {
  /** Where to write the page. Default: the trajectory's path with `.html` instead of `.json`. */
  readonly out?: string;
  /** Opens the page in the default browser (`xdg-open` on Linux, `open` on macOS, `start` on Windows). Default `false`. */
  readonly open?: boolean;
}

/** The default output path: `run.json` → `run.html`, anything else → `<path>.html`. */
export function defaultHtmlPath(trajectoryPath: string): string {
  return /\.json$/i.test(trajectoryPath) ? trajectoryPath.replace(/\.json$/i, '.html') : `${trajectoryPath}.html`;
}

/** Reads and checks a trajectory file. Throws `TrajectoryFormatError` (unreadable, not JSON, not a trajectory). */
export async function readTrajectoryFile(path: string): Promise<import('@rlms/core').Trajectory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TrajectoryFormatError(
      code === 'ENOENT' ? `No trajectory file at ${path}: check the path.` : `Cannot read ${path} (${code ?? (error as Error).message}).`,
      { path, cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrajectoryFormatError(`${path} is not valid JSON (${(error as Error).message}): pass a trajectory file saved by rlms.`, { path, cause: error });
  }
  assertTrajectory(value, path);
  return value;
}

/** The command that opens a file in the default browser on this platform. */
function openerFor(platform: NodeJS.Platform): { command: string; args: (path: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (path) => [path] };
  if (platform === 'win32') return { command: 'cmd', args: (path) => ['/c', 'start', '""', path] };
  return { command: 'xdg-open', args: (path) => [path] };
}

/**
 * Opens `path` in the default browser without waiting for it. Resolves once the opener started;
 * rejects with a message naming the opener when it cannot start (e.g. `xdg-open` not installed).
 */
export function openInBrowser(path: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const opener = openerFor(platform);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(opener.command, opener.args(path), { detached: true, stdio: 'ignore' });
    child.once('error', (error) =>
      reject(new Error(`could not run ${opener.command} to open the page (${(error as NodeJS.ErrnoException).code ?? error.message}); open ${path} yourself`)),
    );
    child.once('spawn', () => {
      child.unref();
      resolvePromise();
    });
  });
}

/**
 * Reads a trajectory JSON file and writes the self-contained HTML viewer next to it (or to `out`),
 * optionally opening it. Resolves with the absolute path of the HTML file.
 *
 * @throws `TrajectoryFormatError` when the file is missing, not JSON, or not a trajectory;
 *   an `Error` when `open` is set and no browser opener could start.
 */
export async function writeTrajectoryViewer(trajectoryPath: string, options: WriteViewerOptions = {}): Promise<string> {
  const trajectory = await readTrajectoryFile(trajectoryPath);
  const html = renderTrajectoryHtml(trajectory, options);
  const out = resolve(options.out ?? defaultHtmlPath(trajectoryPath));
  // The page embeds the run's context and answers: owner-only, like the trajectory it comes from.
  await writePrivateFile(out, html);
  if (options.open === true) await openInBrowser(out);
  return out;
}
