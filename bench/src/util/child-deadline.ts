import type { ChildProcess } from 'node:child_process';

/** A child process's deadline: see {@link childDeadline}. */
export interface ChildDeadline {
  /** Whether the deadline passed and the child was told to stop. */
  readonly timedOut: boolean;
  /** Stops the timers (call once the child has exited). */
  clear(): void;
}

/** After `timeoutMs` the child gets SIGTERM, and SIGKILL `graceMs` later if it is still there. */
export function childDeadline(child: ChildProcess, timeoutMs: number, graceMs = 5_000): ChildDeadline {
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  }, timeoutMs);
  return {
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
    },
  };
}
