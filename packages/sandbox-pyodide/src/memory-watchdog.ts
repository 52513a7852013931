import { readFileSync } from 'node:fs';

/** How often the watchdog reads the process's resident memory, in milliseconds. */
export const WATCHDOG_INTERVAL_MS = 50;

/**
 * Resident memory (`VmRSS`) of a process in bytes, from `/proc/<pid>/status`; `undefined` where
 * there is no procfs (macOS, Windows) or the process is gone.
 */
export function residentBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * Watches a sandbox process's resident memory and calls `onExceeded` (once) when it goes over
 * `limitBytes`. The process's `RLIMIT_DATA` is the hard cap; this is the tighter, resident one.
 * Records the peak it saw (`peakBytes`). The timer never keeps the host process alive.
 */
export class MemoryWatchdog {
  peakBytes = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly pid: number;
  private readonly limitBytes: number;
  private readonly onExceeded: (residentBytes: number) => void;
  private fired = false;

  constructor(pid: number, limitBytes: number, onExceeded: (residentBytes: number) => void) {
    this.pid = pid;
    this.limitBytes = limitBytes;
    this.onExceeded = onExceeded;
    this.timer = setInterval(() => this.check(), WATCHDOG_INTERVAL_MS);
    this.timer.unref();
  }

  /** Reads the process's memory now; returns it (or undefined when unknown). */
  check(): number | undefined {
    const bytes = residentBytes(this.pid);
    if (bytes === undefined) return undefined;
    if (bytes > this.peakBytes) this.peakBytes = bytes;
    if (bytes > this.limitBytes && !this.fired) {
      this.fired = true;
      this.stop();
      this.onExceeded(bytes);
    }
    return bytes;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
