/**
 * Runs one snippet module with the Node running the tests (Node ≥ 22.18 strips TypeScript types
 * itself), in the fresh project, and kills it if it has not exited on its own within the guard.
 */
import { spawn } from 'node:child_process';

/** How a snippet process ended. */
export interface SnippetRun {
  /** Exit code, or `null` when killed. */
  readonly code: number | null;
  /** Whether the guard killed it because it did not exit on its own. */
  readonly killedByGuard: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Output kept per stream: enough for any answer and a useful failure message. */
const MAX_OUTPUT_CHARS = 1_000_000;

/**
 * Runs `node <file>` in `cwd` with `env`; after `guardMs` the process is killed (SIGKILL) and
 * reported with `killedByGuard: true`.
 */
export function runSnippet(file: string, cwd: string, env: NodeJS.ProcessEnv, guardMs: number): Promise<SnippetRun> {
  return runGuarded(process.execPath, [file], cwd, env, guardMs);
}

/** Runs `command args…` in `cwd` with `env`, killed (SIGKILL) after `guardMs` if still running. */
export function runGuarded(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, guardMs: number): Promise<SnippetRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
    });
    let killedByGuard = false;
    const guard = setTimeout(() => {
      killedByGuard = true;
      child.kill('SIGKILL');
    }, guardMs);
    child.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, killedByGuard, stdout, stderr });
    });
  });
}

/** A failure message showing how the snippet ended and the tail of its output. */
export function describeRun(name: string, run: SnippetRun): string {
  const ending = run.killedByGuard ? 'did not exit on its own (killed by the guard)' : `exited with code ${String(run.code)}`;
  return `snippet '${name}' ${ending}\n--- stdout (tail) ---\n${run.stdout.slice(-3000)}\n--- stderr (tail) ---\n${run.stderr.slice(-6000)}`;
}
