/**
 * Peak memory of a child process and everything it starts (sandbox python, docker CLI…), read from
 * `/proc/<pid>/status` `VmHWM` while the tree runs. Linux only; elsewhere the peaks stay 0.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readProcessMemory } from '../util/proc-memory.js';

/** One process seen in the tree. */
export interface TreeProcess {
  readonly pid: number;
  /** `comm` of the process (`node`, `python3`, `docker`…). */
  readonly name: string;
  /** Highest `VmHWM` read, bytes. */
  readonly peakBytes: number;
}

/** What {@link ProcessTreeMemory.stop} returns. */
export interface TreeMemory {
  /** Σ of every process's peak (an upper bound of the simultaneous peak), bytes. */
  readonly peakBytes: number;
  /** The root process's own peak, bytes. */
  readonly rootPeakBytes: number;
  /** Every process seen, largest peak first. */
  readonly processes: readonly TreeProcess[];
}

/** What `/proc/<pid>/stat` says of a process. */
export interface ProcStat {
  readonly ppid: number;
  readonly name: string;
  /** Start time in clock ticks since boot (tells a process from a later one that reuses its pid). */
  readonly startTime: number;
}

/** The parent pid, name and start time of `pid` from `/proc/<pid>/stat`, or undefined when it is gone. */
export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Parses a `/proc/<pid>/stat` line: `pid (comm) state ppid … starttime(22nd field) …` (comm may hold spaces and parentheses). */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Fields after comm, from field 3 (state): ppid is field 4, starttime field 22.
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  return Number.isInteger(ppid) && Number.isFinite(startTime) ? { ppid, name: text.slice(open + 1, close), startTime } : undefined;
}

/**
 * Pids of `root` and all its descendants now. With `rootStartTime`, returns nothing once `root`'s
 * pid belongs to a later process, and skips "children" older than the root (pid reuse on a busy machine).
 */
export function descendants(root: number, rootStartTime?: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
    if (Number(entry) === root && rootStartTime !== undefined && stat.startTime !== rootStartTime) return [];
    if (rootStartTime !== undefined && stat.startTime < rootStartTime) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Samples the peak RSS of a process tree every `intervalMs` until stopped. */
export class ProcessTreeMemory {
  readonly #root: number;
  readonly #extra: () => readonly number[];
  readonly #seen = new Map<number, { name: string; startTime: number; peakBytes: number }>();
  readonly #rootStartTime: number | undefined;
  readonly #timer: NodeJS.Timeout;
  #stopped = false;

  /**
   * @param root pid of the child process.
   * @param extra more pids to follow that are not descendants (the python inside a Docker container).
   */
  constructor(root: number, intervalMs = 25, extra: () => readonly number[] = () => []) {
    this.#root = root;
    this.#extra = extra;
    this.#rootStartTime = readStat(root)?.startTime;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Reads every process of the tree once. */
  sample(): void {
    if (this.#stopped || this.#rootStartTime === undefined) return;
    const pids = new Set([...descendants(this.#root, this.#rootStartTime), ...this.#extra()]);
    for (const pid of pids) {
      const stat = readStat(pid);
      const memory = readProcessMemory(pid);
      if (stat === undefined || memory === undefined) continue;
      const known = this.#seen.get(pid);
      // A pid seen before but now another process (reused): keep the first one's figures.
      if (known !== undefined && known.startTime !== stat.startTime) continue;
      // Node names its main thread `MainThread` (the comm of node processes, the Pyodide worker process too).
      const base = stat.name === 'MainThread' ? 'node' : stat.name;
      const name = pid === this.#root ? `${base} (main)` : base === 'node' ? 'node (child)' : base;
      this.#seen.set(pid, { name, startTime: stat.startTime, peakBytes: Math.max(known?.peakBytes ?? 0, memory.peakBytes) });
    }
  }

  /** Stops sampling (call it as soon as the root exits: its pid may be reused). */
  halt(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** Stops sampling and sums the peaks. */
  stop(): TreeMemory {
    this.halt();
    const processes = [...this.#seen].map(([pid, { name, peakBytes }]) => ({ pid, name, peakBytes })).sort((a, b) => b.peakBytes - a.peakBytes);
    return {
      peakBytes: processes.reduce((sum, process) => sum + process.peakBytes, 0),
      rootPeakBytes: this.#seen.get(this.#root)?.peakBytes ?? 0,
      processes,
    };
  }
}
