import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { RUNTIME_PATH, createStreamTransport, type FrameTransport, type TransportExit } from '@rlms/core';

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
const live = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [pid, tempDir] of live) {
      killGroup(pid);
      try {
        rmSync(tempDir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
    live.clear();
  });
}

function killGroup(pid: number): void {
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
    live.set(pid, options.tempDir);
  }
  let closed = false;
  const transport = createStreamTransport({
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    kill: () => {
      if (pid !== undefined) killGroup(pid);
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
