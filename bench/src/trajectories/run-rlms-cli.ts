/**
 * Runs the real `rlms` CLI (`packages/rlms/dist/cli.js`) as a child process, as a user would, and
 * reads its `--json` result.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repositoryRoot } from './trajectory-corpus.js';
import { childDeadline } from '../util/child-deadline.js';

/** Environment variable that overrides the CLI script to run. */
export const RLMS_CLI_ENV = 'RLMS_CLI';

/** The built CLI script: `$RLMS_CLI` or `packages/rlms/dist/cli.js` of this repository. */
export function rlmsCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[RLMS_CLI_ENV];
  if (override !== undefined && override !== '') return override;
  return join(repositoryRoot(), 'packages', 'rlms', 'dist', 'cli.js');
}

/** Checks the CLI script exists; throws an `Error` that says how to build it. */
export function assertCliBuilt(path: string): void {
  if (!existsSync(path)) throw new Error(`The rlms CLI is not built (${path} is missing): run \`pnpm --filter rlms build\` (or set ${RLMS_CLI_ENV}).`);
}

function newestMtimeMs(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * A note when `packages/rlms/src` changed after the CLI at `path` (`…/packages/rlms/dist/cli.js`) was
 * built (`pnpm bench` rebuilds `@rlms/core` and the sandboxes, not the `rlms` package); else undefined.
 */
export function staleCliNote(path: string): string | undefined {
  const source = join(dirname(path), '..', 'src');
  if (!existsSync(source)) return undefined;
  if (newestMtimeMs(source) <= statSync(path).mtimeMs) return undefined;
  return `${source} changed after ${path} was built: run \`pnpm --filter rlms build\` to measure the current CLI.`;
}

/** One `rlms ask` invocation. */
export interface CliRunOptions {
  readonly cliPath: string;
  readonly question: string;
  /** Passed on stdin (`--context -`), so the REPL's `context` is a str as in the reference. */
  readonly context: string;
  readonly baseURL: string;
  readonly model: string;
  readonly sandbox: string;
  readonly maxIterations: number;
  /** The child is sent SIGTERM after this long, then SIGKILL 5 s later. */
  readonly timeoutMs: number;
}

/** What the child process did. */
export interface CliRunResult {
  readonly exitCode: number | null;
  /** The parsed `--json` result, when stdout held one. */
  readonly json: CliJsonResult | undefined;
  /** The raw stdout (the JSON text). */
  readonly stdout: string;
  /** The last 2,000 characters of stderr. */
  readonly stderrTail: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** The parts of `rlms ask --json` the runner reads. */
export interface CliJsonResult {
  readonly answer: string;
  readonly status: string;
  readonly statusDetail?: string;
  readonly iterations: number;
  readonly error?: { readonly name: string; readonly message: string };
  readonly trajectory?: { readonly steps: readonly CliTrajectoryStep[] };
}

/** One root turn of the rlms trajectory. */
export interface CliTrajectoryStep {
  readonly iteration: number;
  readonly kind: 'iteration' | 'final-answer';
  readonly action: { readonly response: string; readonly code: readonly string[] };
  readonly observation: {
    readonly executions: readonly {
      readonly code: string;
      readonly result: { readonly stdout: string; readonly stderr: string; readonly error?: { readonly type: string; readonly message: string }; readonly final?: unknown };
    }[];
    readonly feedback: string;
  };
}

/** Host variables the child needs (no API keys or other host secrets reach it). */
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'SYSTEMROOT'];

/** Runs `node <cli> ask <question> --context - --base-url … --json` and collects the result. */
export async function runRlmsCli(options: CliRunOptions): Promise<CliRunResult> {
  const env: Record<string, string> = { OPENAI_API_KEY: 'rlms-replay', NO_COLOR: '1' };
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const args = [
    options.cliPath,
    'ask',
    options.question,
    '--context',
    '-',
    '--base-url',
    options.baseURL,
    '--model',
    options.model,
    '--sandbox',
    options.sandbox,
    '--mode',
    'rlm',
    '--max-depth',
    '1',
    '--max-iterations',
    String(options.maxIterations),
    '--json',
    '--quiet',
  ];
  const started = Date.now();
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.context);
  const deadline = childDeadline(child, options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  deadline.clear();
  let json: CliJsonResult | undefined;
  const text = Buffer.concat(stdout).toString('utf8').trim();
  if (text.startsWith('{')) {
    try {
      json = JSON.parse(text) as CliJsonResult;
    } catch {
      json = undefined;
    }
  }
  return { exitCode, json, stdout: text, stderrTail: stderr, timedOut: deadline.timedOut, durationMs: Date.now() - started };
}
