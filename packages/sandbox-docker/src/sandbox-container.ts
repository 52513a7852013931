import { PassThrough, type Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { RUNTIME_FILE_NAME, readRuntimeSource } from '@rlms/core/sandbox';
import { ownerLabels } from './container-labels.js';
import {
  ENV,
  KEEPER,
  LAUNCHER,
  OOM_COUNTER,
  RESETTER,
  SIGNALLER,
  WORK_DIR,
  WORK_DIR_NAME,
  WORK_DIR_PARENT,
} from './container-scripts.js';
import { DockerPythonUnavailableError, causeMessage, engineError, engineStatusCode } from './docker-errors.js';
import { describeEndpoint } from './docker-endpoint.js';
import type { ResolvedDockerSandboxSettings } from './docker-sandbox-settings.js';
import { createTarStream } from './tar-writer.js';

/** Output of a short, non-interactive exec. */
export interface ExecOutput {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A runtime process started with `docker exec`, attached over the hijacked stream. */
export interface AttachedExec {
  readonly exec: Dockerode.Exec;
  /** Raw hijacked connection: writes go to the process's stdin, reads are multiplexed stdout/stderr. */
  readonly socket: Duplex;
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
}

/**
 * One sandbox container: created with limits and no network, PID 1 a sleeper, the runtime copied
 * in. Knows how to start the runtime, signal it, upload files, read the OOM counter and remove
 * itself. Holds no protocol logic.
 */
export class SandboxContainer {
  readonly id: string;
  /** Set once `remove()` was called. */
  removed = false;
  /** Number of OOM kills seen when the current runtime started (the counter is per container). */
  oomKillsAtStart = 0;
  private readonly container: Dockerode.Container;
  private uploads = 0;

  private constructor(
    private readonly docker: Dockerode,
    container: Dockerode.Container,
    private readonly settings: ResolvedDockerSandboxSettings,
  ) {
    this.container = container;
    this.id = container.id;
  }

  /**
   * Creates and starts a container and copies the runtime into it. On failure nothing is left behind.
   * @param instanceId the creating provider's id, stored in the `dev.rlms.owner-instance` label.
   * @throws {SandboxError} (or `DockerEngineUnavailableError`) naming the step that failed.
   */
  static async create(
    docker: Dockerode,
    settings: ResolvedDockerSandboxSettings,
    abortSignal?: AbortSignal,
    instanceId = 'standalone',
  ): Promise<SandboxContainer> {
    const endpoint = describeEndpoint(docker);
    let created: Dockerode.Container;
    try {
      created = await docker.createContainer({
        Image: settings.image,
        Entrypoint: [settings.pythonPath],
        Cmd: ['-c', KEEPER],
        Env: ENV,
        User: settings.user.spec,
        WorkingDir: WORK_DIR_PARENT,
        Labels: ownerLabels(settings.labels, instanceId),
        NetworkDisabled: true,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        OpenStdin: false,
        StopSignal: 'SIGTERM',
        HostConfig: {
          NetworkMode: 'none',
          Memory: settings.memoryMiB * 1024 * 1024,
          MemorySwap: settings.memoryMiB * 1024 * 1024,
          NanoCpus: Math.round(settings.cpus * 1e9),
          PidsLimit: settings.pidsLimit,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          AutoRemove: false,
          LogConfig: { Type: 'none', Config: {} },
        },
        // No abort signal on purpose: an aborted request could still create a container we
        // would never learn the id of. Creation is quick; the signal is checked right after.
      });
    } catch (error) {
      throw engineError(`create a container from image "${settings.image}"`, error, endpoint);
    }
    const sandbox = new SandboxContainer(docker, created, settings);
    try {
      abortSignal?.throwIfAborted();
      await created.start();
      abortSignal?.throwIfAborted();
      await sandbox.installRuntime(abortSignal);
      return sandbox;
    } catch (error) {
      await sandbox.remove();
      if (abortSignal?.aborted) throw abortSignal.reason;
      if (/executable file not found|no such file or directory/i.test(causeMessage(error))) {
        throw new DockerPythonUnavailableError(settings.image, `"${settings.pythonPath}" was not found in the image`, {
          cause: error,
        });
      }
      throw engineError(`start container ${created.id.slice(0, 12)} (image "${settings.image}")`, error, endpoint);
    }
  }

  /** Writes the work directory and the runtime source (owned by the sandbox user). */
  private async installRuntime(abortSignal?: AbortSignal): Promise<void> {
    const { uid, gid } = this.settings.user;
    const tar = createTarStream([
      { name: WORK_DIR_NAME, type: 'directory', mode: 0o700, uid, gid },
      {
        name: `${WORK_DIR_NAME}/${RUNTIME_FILE_NAME}`,
        data: Buffer.from(readRuntimeSource(), 'utf8'),
        mode: 0o444,
        uid,
        gid,
      },
    ]);
    await this.container.putArchive(tar, { path: WORK_DIR_PARENT, abortSignal });
  }

  /**
   * Copies `bytes` into the work directory as a new file readable only by the sandbox user.
   * @returns its absolute path inside the container.
   */
  async upload(bytes: Uint8Array, extension: string, abortSignal?: AbortSignal): Promise<string> {
    this.uploads += 1;
    const name = `context-${this.uploads}${extension}`;
    const { uid, gid } = this.settings.user;
    const tar = createTarStream([{ name, data: bytes, mode: 0o600, uid, gid }]);
    try {
      await this.container.putArchive(tar, { path: WORK_DIR, abortSignal });
    } catch (error) {
      if (abortSignal?.aborted) throw abortSignal.reason;
      throw engineError(`copy ${bytes.byteLength} bytes into container ${this.id.slice(0, 12)}`, error, this.endpoint);
    }
    return `${WORK_DIR}/${name}`;
  }

  /** Starts the runtime with stdin/stdout/stderr attached (`docker exec -i`). */
  async startRuntime(abortSignal?: AbortSignal): Promise<AttachedExec> {
    try {
      const exec = await this.container.exec({
        Cmd: [this.settings.pythonPath, '-c', LAUNCHER],
        Env: ENV,
        User: this.settings.user.spec,
        WorkingDir: WORK_DIR,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        abortSignal,
      });
      const socket = (await exec.start({ hijack: true, stdin: true, abortSignal })) as Duplex;
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      this.docker.modem.demuxStream(socket, stdout, stderr);
      return { exec, socket, stdout, stderr };
    } catch (error) {
      if (abortSignal?.aborted) throw abortSignal.reason;
      throw engineError(`start the runtime in container ${this.id.slice(0, 12)}`, error, this.endpoint);
    }
  }

  /** Sends `signal` to the runtime through a second exec. Resolves to false when that was not possible. */
  async signalRuntime(signal: 'SIGINT' | 'SIGKILL'): Promise<boolean> {
    try {
      const result = await this.run([this.settings.pythonPath, '-c', SIGNALLER, signal]);
      return result.exitCode === 0;
    } catch {
      return false;
    }
  }

  /** Kills every process of the container at once (the container stops). Never throws. */
  async kill(): Promise<void> {
    try {
      await this.container.kill({ signal: 'SIGKILL' });
    } catch {
      // Already stopped or removed.
    }
  }

  /**
   * Number of processes the OOM killer killed in this container so far, or `undefined` when it
   * cannot be read (container stopped, cgroup files hidden).
   */
  async oomKillCount(): Promise<number | undefined> {
    try {
      const result = await this.run([this.settings.pythonPath, '-c', OOM_COUNTER]);
      const count = Number(result.stdout.trim());
      return result.exitCode === 0 && Number.isInteger(count) && count >= 0 ? count : undefined;
    } catch {
      return undefined;
    }
  }

  /** The engine's view: still running, and killed by the OOM killer as a whole. */
  async state(): Promise<{ running: boolean; oomKilled: boolean } | undefined> {
    try {
      const info = await this.container.inspect();
      return { running: info.State.Running, oomKilled: info.State.OOMKilled };
    } catch {
      return undefined;
    }
  }

  /** Exit code of an exec once it has finished (polls briefly: the stream may close first). */
  async execExitCode(exec: Dockerode.Exec): Promise<number | null> {
    for (let attempt = 0; attempt < 12; attempt++) {
      try {
        const info = await exec.inspect();
        if (!info.Running) return info.ExitCode;
      } catch {
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
    }
    return null;
  }

  /** Kills all processes but PID 1 and empties the work directory, for reuse by another session. */
  async reset(): Promise<boolean> {
    try {
      const result = await this.run([this.settings.pythonPath, '-c', RESETTER]);
      if (result.exitCode !== 0) return false;
      const count = Number(result.stdout.trim());
      this.oomKillsAtStart = Number.isInteger(count) && count >= 0 ? count : 0;
      return true;
    } catch {
      return false;
    }
  }

  /** Runs a short command to completion and collects its output. */
  async run(cmd: readonly string[]): Promise<ExecOutput> {
    const exec = await this.container.exec({
      Cmd: [...cmd],
      Env: ENV,
      User: this.settings.user.spec,
      WorkingDir: WORK_DIR_PARENT,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk));
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    this.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve) => {
      stream.once('close', resolve);
      stream.once('end', resolve);
      stream.once('error', () => resolve());
    });
    return {
      exitCode: await this.execExitCode(exec),
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    };
  }

  /** Removes the container (force: running processes are killed). Idempotent; never throws. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      const status = engineStatusCode(error);
      if (status === 404 || status === 409) return;
      // One retry: removal can race with the container stopping.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.container.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  private get endpoint(): string {
    return describeEndpoint(this.docker);
  }
}
