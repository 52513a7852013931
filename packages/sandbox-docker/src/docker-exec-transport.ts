import { createStreamTransport, type FrameTransport, type TransportExit } from '@rlms/core/sandbox';
import type { AttachedExec, SandboxContainer } from './sandbox-container.js';
import { PYTHON_TOO_OLD_EXIT_CODE } from './container-scripts.js';

/** How the runtime process ended, as the container saw it. */
export interface RuntimeExit {
  /** Exit code of the exec (137 = SIGKILL), `null` when unknown (container gone). */
  readonly exitCode: number | null;
  /**
   * - `'out-of-memory'`: the kernel's OOM killer killed it (or the whole container);
   * - `'killed'`: we killed it (`kill()`: a timeout the code ignored, an abort, `destroy()`);
   * - `'python-unavailable'`: the interpreter is missing or older than 3.10;
   * - `'exited'`: it ended by itself (shutdown, crash, end of input).
   */
  readonly reason: 'out-of-memory' | 'killed' | 'python-unavailable' | 'exited';
  /** Last characters the runtime process wrote on its own stderr. */
  readonly diagnostics: string;
}

/** A frame transport over one `docker exec`, plus what the session wrapper needs to know about its end. */
export interface DockerExecTransport {
  readonly transport: FrameTransport;
  /** Settles once the runtime process has ended and its cause is known. Never rejects. */
  readonly exited: Promise<RuntimeExit>;
  /** The exit, once known. */
  exit(): RuntimeExit | undefined;
}

const DIAGNOSTICS_LIMIT = 8192;

/**
 * Builds the byte transport of one runtime process in a container: stdin over the hijacked
 * `docker exec` connection, stdout/stderr demultiplexed from it, SIGINT through a second exec,
 * kill by SIGKILLing the container (works even when the pids limit leaves no room for an exec),
 * context files copied in with `putArchive`. `release` runs once on `close()`, with whether the
 * container is still clean enough to be reused.
 */
export function createDockerExecTransport(
  container: SandboxContainer,
  attached: AttachedExec,
  release: (reusable: boolean) => Promise<void>,
): DockerExecTransport {
  const { socket, stdout, stderr, exec } = attached;
  let diagnostics = '';
  let killedByUs = false;
  let exitInfo: RuntimeExit | undefined;
  stderr.on('data', (chunk: Buffer) => {
    diagnostics = (diagnostics + chunk.toString('utf8')).slice(-DIAGNOSTICS_LIMIT);
  });

  const closed = new Promise<void>((resolve) => {
    const done = (): void => {
      // demuxStream has delivered everything it read; end the demultiplexed streams.
      if (!stdout.writableEnded) stdout.end();
      if (!stderr.writableEnded) stderr.end();
      resolve();
    };
    socket.once('end', done);
    socket.once('close', done);
    socket.once('error', done);
  });

  const classify = async (): Promise<RuntimeExit> => {
    if (killedByUs || container.removed) return { exitCode: null, reason: 'killed', diagnostics };
    const exitCode = await container.execExitCode(exec);
    // 126/127: the engine could not start the interpreter; 86: the launcher found Python < 3.10.
    if (exitCode === PYTHON_TOO_OLD_EXIT_CODE || exitCode === 126 || exitCode === 127) {
      return { exitCode, reason: 'python-unavailable', diagnostics };
    }
    if (exitCode === 137 || exitCode === null) {
      // A SIGKILL we did not send: the OOM killer (of one process, or of the whole container) is the usual cause.
      const state = await container.state();
      if (state?.oomKilled === true) return { exitCode, reason: 'out-of-memory', diagnostics };
      if (state?.running === true) {
        const count = await container.oomKillCount();
        if (count !== undefined && count > container.oomKillsAtStart) {
          return { exitCode, reason: 'out-of-memory', diagnostics };
        }
      }
    }
    return { exitCode, reason: 'exited', diagnostics };
  };

  const exited = closed.then(classify).then(
    (exit) => (exitInfo = exit),
    () => (exitInfo = { exitCode: null, reason: 'exited', diagnostics }),
  );

  const toTransportExit = (exit: RuntimeExit): TransportExit => {
    const signal = exit.exitCode === 137 ? 'SIGKILL' : null;
    const code = exit.exitCode === 137 ? null : exit.exitCode;
    if (exit.reason === 'out-of-memory') return { code, signal: 'SIGKILL', reason: 'out-of-memory' };
    if (exit.reason === 'exited' && exit.exitCode !== 0) return { code, signal, reason: 'crashed' };
    return { code, signal };
  };

  let released = false;
  const transport = createStreamTransport({
    stdin: socket,
    stdout,
    stderr,
    exited: exited.then(toTransportExit),
    drainTimeoutMs: 200,
    interrupt: async () => {
      if (exitInfo === undefined) await container.signalRuntime('SIGINT');
    },
    kill: async () => {
      // After a clean exit there is nothing to stop: close() resets or removes the container,
      // which also ends anything the model code left running.
      if (exitInfo !== undefined) return;
      killedByUs = true;
      await container.kill();
      socket.destroy();
      await exited;
    },
    uploadContext: (bytes, options) => container.upload(bytes, '.bin', options.abortSignal),
    close: async () => {
      if (released) return;
      released = true;
      socket.destroy();
      const exit = await exited;
      await release(exit.reason === 'exited' && exit.exitCode === 0);
    },
  });
  return { transport, exited, exit: () => exitInfo };
}
