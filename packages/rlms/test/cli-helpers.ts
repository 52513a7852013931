import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI (run `pnpm -F rlms build` first). */
export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A running CLI process with its collected output. */
export interface CliRun {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** An environment without any API key or base URL of the host, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /API_KEY|BASE_URL|TOKEN|SECRET/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Spawns `node dist/cli.js ...args` in its own process group (so tests can signal the group, like a terminal). */
export function startCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): CliRun {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: options.env ?? cleanEnv(),
    cwd: options.cwd ?? process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const run: CliRun = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  child.stdin!.end(options.input ?? '');
  return run;
}

/** Runs the CLI to its end. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, options);
  const { code } = await run.exit;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

/** Creates a temp folder with `files` (path → content) and returns its path. */
export async function makeTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'rlms-test-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

export async function removeTree(path: string | undefined): Promise<void> {
  if (path !== undefined) await rm(path, { recursive: true, force: true });
}

/** Waits until `check` returns a value other than `undefined`, polling every 50 ms, up to `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
