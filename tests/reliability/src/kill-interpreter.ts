/**
 * Kills the interpreter behind a live sandbox session from the host, the way a crash, the OOM
 * killer or an operator would: SIGKILL of the local Python process, termination of the Pyodide
 * worker, `docker kill` of the container.
 */
import { readFileSync } from 'node:fs';
import type { SandboxSessionV1 } from '@rlms/core';
import type Dockerode from 'dockerode';

/** The OS pid of a local sandbox session's Python process (from the runtime's `ready` frame). */
export function localPid(session: SandboxSessionV1): number {
  const pid = (session as { runtimeInfo?: { pid?: unknown } }).runtimeInfo?.pid;
  if (typeof pid !== 'number') throw new Error(`session ${session.id} exposes no runtimeInfo.pid (is it a local FrameSession?)`);
  return pid;
}

/** True while a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** SIGKILLs the local session's Python process; returns its pid. */
export function killLocal(session: SandboxSessionV1): number {
  const pid = localPid(session);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/**
 * Kills the sandbox process of a Pyodide session (SIGKILL through `handle.worker.terminate()`). Reaches into the session's private handle
 * (there is no public way to crash a worker from outside, which is the point of the test).
 */
export async function killPyodideWorker(session: SandboxSessionV1): Promise<void> {
  const worker = (session as unknown as { handle?: { worker?: { terminate?: () => Promise<number> } } }).handle?.worker;
  if (typeof worker?.terminate !== 'function') {
    throw new Error(`session ${session.id} has no handle.worker: @rlms/sandbox-pyodide internals changed; update killPyodideWorker()`);
  }
  await worker.terminate();
}

/** `docker kill` of the session's container. */
export async function killContainer(docker: Dockerode, session: SandboxSessionV1): Promise<string> {
  const id = (session as { containerId?: unknown }).containerId;
  if (typeof id !== 'string') throw new Error(`session ${session.id} has no containerId (is it a DockerSandboxSession?)`);
  await docker.getContainer(id).kill();
  return id;
}
