/**
 * Runs one measured child process (the rlms CLI or the Python reference): wall time from spawn to
 * exit, peak RSS of its process tree, stdout and a bounded stderr.
 */
import { spawn } from 'node:child_process';
import { findProcesses } from '../util/proc-memory.js';
import { ProcessTreeMemory, type TreeMemory } from './process-tree-memory.js';
import type { StampedLine } from './verbose-phases.js';
import { childDeadline } from '../util/child-deadline.js';

/** One child process to measure. */
export interface ChildSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** SIGTERM after this long, SIGKILL 5 s later. */
  readonly timeoutMs: number;
  /** Also follow processes started meanwhile whose command line holds this text and cgroup holds `followCgroup` (Docker). */
  readonly followCommand?: string;
  readonly followCgroup?: string;
}

/** What the child did. */
export interface ChildRun {
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Spawn → exit, ms. */
  readonly wallMs: number;
  /** `Date.now()` at spawn (to place the child's own epoch timestamps). */
  readonly spawnedAt: number;
  readonly stdout: string;
  /** The whole stderr up to 4 MB (the verbose trace), then only the tail. */
  readonly stderr: string;
  /** The stderr lines with when each arrived, ms since spawn (the first 20 000 lines). */
  readonly stderrLines: readonly StampedLine[];
  readonly memory: TreeMemory;
}

/** Host variables children get (no API keys or other host secrets). */
export const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'SYSTEMROOT', 'DOCKER_HOST'];

/** `extra` plus the host variables of {@link PASSED_ENV}. */
export function childEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

const STDERR_LIMIT = 4_000_000;

/** Spawns `spec`, samples its memory while it runs, and waits for it to exit. */
export async function runChild(spec: ChildSpec): Promise<ChildRun> {
  const before = spec.followCommand === undefined ? new Set<number>() : new Set(findProcesses(spec.followCommand));
  const spawnedAt = Date.now();
  const started = performance.now();
  const child = spawn(spec.command, [...spec.args], { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }) });
  const follow =
    spec.followCommand === undefined
      ? () => []
      : () => findProcesses(spec.followCommand!, spec.followCgroup).filter((pid) => !before.has(pid));
  const memory = child.pid === undefined ? undefined : new ProcessTreeMemory(child.pid, 25, follow);
  const stdout: Buffer[] = [];
  let stderr = '';
  const stderrLines: StampedLine[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    const atMs = performance.now() - started;
    const text = chunk.toString('utf8');
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (stderrLines.length < 20_000) stderrLines.push({ atMs, text: line });
    stderr += text;
    if (stderr.length > STDERR_LIMIT) stderr = stderr.slice(-STDERR_LIMIT);
  });
  const deadline = childDeadline(child, spec.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      resolve(null);
    });
    child.once('exit', (code) => {
      memory?.halt();
      resolve(code);
    });
  });
  const wallMs = performance.now() - started;
  await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.once('close', () => resolve())));
  deadline.clear();
  return {
    exitCode,
    timedOut: deadline.timedOut,
    wallMs,
    spawnedAt,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr,
    stderrLines: partial === '' ? stderrLines : [...stderrLines, { atMs: wallMs, text: partial }],
    memory: memory?.stop() ?? { peakBytes: 0, rootPeakBytes: 0, processes: [] },
  };
}
