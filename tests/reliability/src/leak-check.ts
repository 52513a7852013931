/**
 * Leak detection for the reliability tests and the soak: processes (by an environment marker that
 * every sandbox process inherits, and by parentage), temp entries, open handles, threads, Docker
 * containers, memory. Pyodide sessions are `node …/sandbox-process.js` child processes. Linux only (reads `/proc`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One process found in `/proc`. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly command: string;
}

/** Environment variable set on every sandbox process a test starts, so orphans can be found later. */
export interface ProcessMark {
  readonly name: string;
  readonly value: string;
  /** `{ [name]: value }`, to hand to a sandbox's `env` setting. */
  readonly env: Readonly<Record<string, string>>;
}

/** A fresh marker; processes started with `mark.env` (and their children) carry it. */
export function createProcessMark(prefix = 'RLMS_RELIABILITY_MARK'): ProcessMark {
  const value = randomUUID();
  return { name: prefix, value, env: { [prefix]: value } };
}

function readProc(pid: string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

function describe(pid: string): ProcessInfo | undefined {
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return undefined;
  // Fields after the command (which may hold spaces and parentheses) start after the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return undefined; // zombies hold no resources but a pid, reaped by their parent
  const cmdline = (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
  return { pid: Number(pid), ppid: Number(fields[1]), command: cmdline || stat.slice(stat.indexOf('(') + 1, close) };
}

function pids(): string[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
}

/** Live processes (zombies excluded) whose environment holds the marker. */
export function findMarkedProcesses(mark: ProcessMark): ProcessInfo[] {
  const needle = `${mark.name}=${mark.value}`;
  const found: ProcessInfo[] = [];
  for (const pid of pids()) {
    const environ = readProc(pid, 'environ');
    if (environ === undefined || !environ.split('\0').includes(needle)) continue;
    const info = describe(pid);
    if (info !== undefined) found.push(info);
  }
  return found;
}

/** Live descendants of `root` (default: this process), zombies excluded. */
export function descendantsOf(root: number = process.pid): ProcessInfo[] {
  const all = pids().map(describe).filter((info): info is ProcessInfo => info !== undefined);
  const byParent = new Map<number, ProcessInfo[]>();
  for (const info of all) {
    const siblings = byParent.get(info.ppid) ?? [];
    siblings.push(info);
    byParent.set(info.ppid, siblings);
  }
  const out: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = byParent.get(queue.shift()!) ?? [];
    for (const child of next) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Python processes among the descendants of this process. */
export function pythonDescendants(): ProcessInfo[] {
  // Python interpreters (local sandbox) and Pyodide's sandbox processes (node running sandbox-process.js).
  return descendantsOf().filter((info) => /python|sandbox-process\.js/i.test(info.command));
}

/** Counts of `process.getActiveResourcesInfo()` by type (only resources that keep the event loop alive). */
export function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Handle types whose count grew since `baseline`, with the increase. */
export function handleGrowth(baseline: Record<string, number>, now: Record<string, number> = activeHandles()): Record<string, number> {
  const growth: Record<string, number> = {};
  for (const [type, count] of Object.entries(now)) {
    const delta = count - (baseline[type] ?? 0);
    if (delta > 0) growth[type] = delta;
  }
  return growth;
}

/** OS threads of this process (`Threads:` in `/proc/self/status`). */
export function threadCount(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

let gcFunction: (() => void) | undefined;

/** Runs a full garbage collection (enabling `--expose-gc` at run time if needed). */
export function forceGc(): void {
  if (gcFunction === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') gcFunction = existing;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
}

/** Memory of this process in bytes, after a full collection. */
export function memoryAfterGc(): { rss: number; heapUsed: number; external: number; arrayBuffers: number } {
  forceGc();
  forceGc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

/**
 * Polls `probe` until it returns an empty list (or count 0) or `timeoutMs` passes; returns the last
 * value. Leaks are judged after cleanup had time to finish (processes being reaped, sockets closing).
 */
export async function settle<T>(probe: () => T | Promise<T>, isClean: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (isClean(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGKILLs the given processes (cleanup after a test found leaks, so they do not outlive it). */
export function killAll(processes: readonly ProcessInfo[]): void {
  for (const { pid } of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
