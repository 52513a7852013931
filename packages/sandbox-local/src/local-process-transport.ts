import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { RUNTIME_PATH, createStreamTransport, type FrameTransport, type TransportExit } from '@rlms/core/sandbox';

/** What {@link spawnLocalRuntime} needs. */
export interface LocalRuntimeSpawnOptions {
  readonly pythonPath: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Private temp dir of the session, removed by the transport's `close()`. */
  readonly tempDir: string;
  /** Called once the transport was closed (after `destroy()`). */
  readonly onClosed?: () => void;
}

/** A spawned runtime process and the transport over its stdio. */
export interface LocalRuntimeProcess {
  readonly child: ChildProcess;
  readonly transport: FrameTransport;
}

// Process groups and temp dirs of live sessions, cleaned up synchronously if Node exits without destroy().
const live = new Map<number, { tempDir: string; marker: string | undefined }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [pid, { tempDir, marker }] of live) {
      killGroup(pid, marker);
      try {
        rmSync(tempDir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
    live.clear();
  });
}

/** Environment variable naming a session, so processes detached from its group can still be found. */
export const SESSION_MARKER_VARIABLE = 'RLMS_LOCAL_SESSION';

/**
 * Kills the runtime's process group and, on Linux, every process still carrying the session's
 * marker in its environment: model code may detach children from the group (`setsid`,
 * `start_new_session=True`). Best effort: a process that scrubs its own environment escapes this.
 */
function killGroup(pid: number, marker?: string): void {
  try {
    process.kill(-pid, 'SIGKILL'); // the whole process group: the runtime and what model code spawned
  } catch {
    // ESRCH: already gone; EPERM/ENOSYS (no process groups, e.g. Windows): fall through
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  if (marker !== undefined) for (const straggler of findMarkedProcesses(marker)) {
    try {
      process.kill(straggler, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Pids whose environment holds `RLMS_LOCAL_SESSION=<marker>` (Linux /proc; empty elsewhere). */
function findMarkedProcesses(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = `${SESSION_MARKER_VARIABLE}=${marker}\0`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(needle)) found.push(Number(entry));
    } catch {
      // not ours, or exited
    }
  }
  return found;
}

/**
 * Spawns `python3 -u -I rlms_runtime.py` as the leader of a new process group (so `kill()` ends
 * everything model code started) and wraps its stdio in a `FrameTransport`.
 */
export function spawnLocalRuntime(options: LocalRuntimeSpawnOptions): LocalRuntimeProcess {
  const child = spawn(options.pythonPath, ['-u', '-I', RUNTIME_PATH], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    windowsHide: true,
  });
  const exited = new Promise<TransportExit>((resolve) => {
    child.on('error', (error) => resolve({ error })); // spawn failure; later errors are ignored
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid !== undefined) {
    installExitHook();
    live.set(pid, { tempDir: options.tempDir, marker: options.env[SESSION_MARKER_VARIABLE] });
  }
  let closed = false;
  const transport = createStreamTransport({
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    kill: () => {
      if (pid !== undefined) killGroup(pid, options.env[SESSION_MARKER_VARIABLE]);
    },
    interrupt: () => {
      if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // exited meanwhile
        }
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (pid !== undefined) live.delete(pid);
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      await rm(options.tempDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      options.onClosed?.();
    },
  });
  return { child, transport };
}
