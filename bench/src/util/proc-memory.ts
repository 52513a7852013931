import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

/** Resident memory of one process from `/proc/<pid>/status`, in bytes. */
export interface ProcessMemory {
  /** `VmRSS`: resident set size now. */
  readonly rssBytes: number;
  /** `VmHWM`: peak resident set size since the process started or since {@link resetPeakRss}. */
  readonly peakBytes: number;
}

function field(status: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** Reads `VmRSS`/`VmHWM` of `pid`. Returns `undefined` when the process is gone or `/proc` is unavailable (non-Linux). */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssBytes = field(status, 'VmRSS');
    const peakBytes = field(status, 'VmHWM');
    if (rssBytes === undefined || peakBytes === undefined) return undefined;
    return { rssBytes, peakBytes };
  } catch {
    return undefined;
  }
}

/**
 * Resets the peak RSS (`VmHWM`) of `pid` to its current RSS by writing `5` to `/proc/<pid>/clear_refs`
 * (Linux ≥ 4.0; needs permission over the process). Returns false when that is not possible; peaks
 * then count from the process start.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Host pids of processes whose command line contains `needle` and whose cgroup path contains `cgroupPart` (e.g. a container id). */
export function findProcesses(needle: string, cgroupPart?: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(needle)) continue;
      if (cgroupPart !== undefined && !readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(cgroupPart)) continue;
      found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Peak memory of a group of processes over a measured step. */
export interface PeakMemory {
  /** Σ over processes of (peak RSS during the step − RSS just before it), in bytes. */
  readonly growthBytes: number;
  /** Σ over processes of their peak RSS during the step, in bytes. */
  readonly peakBytes: number;
  /** Per process: label, baseline RSS and peak RSS during the step (bytes). */
  readonly processes: readonly { readonly label: string; readonly pid: number; readonly baselineBytes: number; readonly peakBytes: number }[];
  /** True when every peak came from a reset `VmHWM`; false when some came from sampling only. */
  readonly exact: boolean;
}

/**
 * Measures the peak RSS of labelled processes over `work`: resets each `VmHWM` first (falls back
 * to sampling `VmRSS` every `sampleMs` when it cannot), runs `work`, then reads the peaks.
 * Per-process peaks are summed, so `peakBytes` is an upper bound of the simultaneous peak.
 */
export async function measurePeakMemory<T>(
  processes: readonly { readonly label: string; readonly pid: number }[],
  work: () => Promise<T>,
  sampleMs = 5,
): Promise<{ value: T; memory: PeakMemory }> {
  const tracked = processes.map((process) => {
    const reset = resetPeakRss(process.pid);
    const before = readProcessMemory(process.pid);
    return { ...process, reset, baselineBytes: before?.rssBytes ?? 0, sampledPeak: before?.rssBytes ?? 0 };
  });
  const sample = (): void => {
    for (const process of tracked) {
      const now = readProcessMemory(process.pid);
      if (now !== undefined) process.sampledPeak = Math.max(process.sampledPeak, now.rssBytes);
    }
  };
  const timer = setInterval(sample, sampleMs);
  let value: T;
  try {
    value = await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const rows = tracked.map((process) => {
    const after = readProcessMemory(process.pid);
    const peak = process.reset && after !== undefined ? Math.max(after.peakBytes, process.sampledPeak) : process.sampledPeak;
    return { label: process.label, pid: process.pid, baselineBytes: process.baselineBytes, peakBytes: peak };
  });
  return {
    value,
    memory: {
      growthBytes: rows.reduce((sum, row) => sum + Math.max(0, row.peakBytes - row.baselineBytes), 0),
      peakBytes: rows.reduce((sum, row) => sum + row.peakBytes, 0),
      processes: rows,
      exact: tracked.every((process) => process.reset),
    },
  };
}
