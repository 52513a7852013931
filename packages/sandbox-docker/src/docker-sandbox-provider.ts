import { randomUUID } from 'node:crypto';
import type Dockerode from 'dockerode';
import { RLMAbortError, SandboxError, type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1 } from '@rlms/core/spec';
import { createFrameSession, raceAbort } from '@rlms/core/sandbox';
import { cleanupStaleContainers, type CleanupStaleContainersResult } from './cleanup-stale-containers.js';
import { ContainerPool } from './container-pool.js';
import { createDefaultDockerClient } from './docker-endpoint.js';
import { DockerPythonUnavailableError } from './docker-errors.js';
import { createDockerExecTransport } from './docker-exec-transport.js';
import { DockerSandboxSession } from './docker-sandbox-session.js';
import {
  resolveDockerSandboxSettings,
  type DockerSandboxSettings,
  type ResolvedDockerSandboxSettings,
} from './docker-sandbox-settings.js';
import { ensureImage } from './ensure-image.js';
import type { SandboxContainer } from './sandbox-container.js';

/**
 * Runs each session in its own Docker container: no network, memory/CPU/pids limits, model code
 * as an unprivileged user, the host reached only over the `docker exec` stream. Create it with
 * {@link createDockerSandbox}.
 */
export class DockerSandboxProvider implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = 'docker';
  readonly capabilities: SandboxCapabilities;
  /** The settings in effect, defaults applied. */
  readonly settings: ResolvedDockerSandboxSettings;
  /** Random id of this provider, in the `dev.rlms.owner-instance` label of every container it creates. */
  readonly instanceId: string = randomUUID();
  readonly #clientSetting: Dockerode | undefined;
  #docker: Dockerode | undefined;
  #pool: ContainerPool | undefined;
  #imageReady: Promise<void> | undefined;
  #reaped: Promise<CleanupStaleContainersResult | undefined> | undefined;
  #closed = false;

  /** @throws {ConfigurationError} on invalid settings. Does no I/O. */
  constructor(settings: DockerSandboxSettings = {}) {
    this.settings = resolveDockerSandboxSettings(settings);
    this.#clientSetting = settings.docker;
    this.capabilities = {
      isolation: 'container',
      network: false,
      nativePackages: true,
      subprocess: true,
      interrupt: true,
      threads: true,
      // str + bytes of the payload and the decoded value must fit in the memory limit.
      maxContextBytes: Math.floor((this.settings.memoryMiB * 1024 * 1024) / 4),
    };
  }

  /**
   * The Dockerode client (created on first use).
   * @throws {ConfigurationError} when none was given and `DOCKER_HOST` is malformed.
   */
  get docker(): Dockerode {
    this.#docker ??= this.#clientSetting ?? createDefaultDockerClient();
    return this.#docker;
  }

  /**
   * Removes the leftovers of dead owners on this machine (see `reapStaleContainers`), once per
   * provider: started by the first `createSession`, which waits for it. Resolves to what was
   * removed, or `undefined` when reaping is off or the engine could not be asked (the session's
   * own engine calls then report the problem). Never rejects.
   */
  reapStaleContainers(): Promise<CleanupStaleContainersResult | undefined> {
    this.#reaped ??= this.settings.reapStaleContainers
      ? cleanupStaleContainers({ docker: this.docker }).catch(() => undefined)
      : Promise.resolve(undefined);
    return this.#reaped;
  }

  /**
   * Starts a container (or takes an idle one with `reuse`), copies the runtime in and starts it.
   * @throws {DockerEngineUnavailableError} the engine cannot be reached.
   * @throws {DockerImageNotFoundError} the image is missing and cannot be pulled.
   * @throws {DockerPythonUnavailableError} the image has no python3 >= 3.10.
   * @throws {SandboxError} code `'startup-timeout'` when start-up takes over `startTimeoutMs`.
   * @throws {RLMAbortError} `abortSignal` fired; nothing is left behind.
   */
  async createSession(options: CreateSessionOptions): Promise<DockerSandboxSession> {
    if (this.#closed) {
      throw new SandboxError('This Docker sandbox provider was closed; create a new one with createDockerSandbox().', {
        sandbox: this.name,
        code: 'provider-closed',
      });
    }
    const { abortSignal } = options;
    if (abortSignal?.aborted) throw new RLMAbortError('Creating the sandbox session was aborted.', { cause: abortSignal.reason });
    const started = Date.now();
    const { startTimeoutMs } = this.settings;
    const timeout = AbortSignal.timeout(startTimeoutMs);
    const signal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
    const mapAbort = (error: unknown): unknown => {
      if (abortSignal?.aborted) return new RLMAbortError('Creating the sandbox session was aborted.', { cause: abortSignal.reason });
      if (timeout.aborted) {
        return new SandboxError(
          `Starting a Docker sandbox container took longer than ${startTimeoutMs} ms (raise \`startTimeoutMs\` on a slow engine).`,
          { sandbox: this.name, code: 'startup-timeout', cause: error },
        );
      }
      return error;
    };

    let pool: ContainerPool;
    let container: SandboxContainer;
    try {
      pool = this.#pool ??= new ContainerPool(this.docker, this.settings, this.instanceId);
      // Shared by concurrent sessions, so not tied to one caller's signal; each caller stops waiting on its own.
      const imageReady = (this.#imageReady ??= ensureImage(this.docker, this.settings.image, this.settings.pull));
      imageReady.catch(() => {
        if (this.#imageReady === imageReady) this.#imageReady = undefined;
      });
      await raceAbort(Promise.all([imageReady, this.reapStaleContainers()]), signal);
      container = await pool.acquire(signal);
    } catch (error) {
      throw mapAbort(error);
    }

    let attached;
    try {
      attached = await container.startRuntime(signal);
    } catch (error) {
      await pool.release(container, false);
      throw mapAbort(error);
    }
    const exec = createDockerExecTransport(container, attached, (reusable) => pool.release(container, reusable));
    try {
      const frame = await createFrameSession({
        sandbox: this.name,
        transport: exec.transport,
        host: options.host,
        ...(options.tools === undefined ? {} : { tools: options.tools }),
        ...(options.maxOutputChars === undefined ? {} : { maxOutputChars: options.maxOutputChars }),
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
        startupTimeoutMs: Math.max(1000, startTimeoutMs - (Date.now() - started)),
        interruptGraceMs: this.settings.interruptGraceMs,
        ...(abortSignal === undefined ? {} : { abortSignal }),
      });
      return new DockerSandboxSession(frame, exec, { containerId: container.id, memoryMiB: this.settings.memoryMiB });
    } catch (error) {
      // createFrameSession already killed and closed the transport, which waited for the exit.
      const exit = exec.exit();
      if (exit?.reason === 'python-unavailable') {
        const detail = exit.diagnostics.trim().split('\n').pop() || `exit code ${String(exit.exitCode)}`;
        throw new DockerPythonUnavailableError(this.settings.image, detail, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Removes idle containers (with `reuse`) and the containers of sessions still open; later
   * `createSession` calls fail. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
  }
}

/**
 * Creates the Docker sandbox provider. Does no I/O: the engine is first contacted by `createSession`.
 *
 * ```ts
 * const sandbox = createDockerSandbox({ image: 'python:3.12-slim', memoryMiB: 512 });
 * const session = await sandbox.createSession({ host });
 * ```
 *
 * @throws {ConfigurationError} on invalid settings (the message names the setting).
 */
export function createDockerSandbox(settings: DockerSandboxSettings = {}): DockerSandboxProvider {
  return new DockerSandboxProvider(settings);
}
