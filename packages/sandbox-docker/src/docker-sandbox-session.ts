import { SandboxSessionDeadError, type ContextInfo, type ContextPayload, type ExecuteOptions, type ExecutionResult, type LoadContextOptions, type SandboxSessionV1 } from '@rlms/core/spec';
import { type FrameSession } from '@rlms/core/sandbox';
import type { DockerExecTransport } from './docker-exec-transport.js';

/**
 * One Docker sandbox session: a container running the rlms runtime, driven over `docker exec`
 * by core's frame session. Adds Docker's view of why the runtime died (out of memory) to errors.
 * Create it with `DockerSandboxProvider.createSession`.
 */
export class DockerSandboxSession implements SandboxSessionV1 {
  readonly id: string;
  /** Id of the container this session runs in. */
  readonly containerId: string;
  readonly #frame: FrameSession;
  readonly #exec: DockerExecTransport;
  readonly #memoryMiB: number;

  /** @internal Created by `DockerSandboxProvider.createSession`. */
  constructor(frame: FrameSession, exec: DockerExecTransport, options: { containerId: string; memoryMiB: number }) {
    this.#frame = frame;
    this.#exec = exec;
    this.#memoryMiB = options.memoryMiB;
    this.id = frame.id;
    this.containerId = options.containerId;
  }

  /** True until the runtime died or the session was destroyed. */
  get alive(): boolean {
    return this.#frame.alive;
  }

  /**
   * Copies the payload into the container (`putArchive`) and loads it as `variableName` (default
   * `context`). See `SandboxSessionV1.loadContext`.
   * @throws {ContextError} undecodable bytes or a failed upload.
   * @throws {SandboxSessionDeadError} the runtime is gone (reason `'out-of-memory'` when the payload did not fit).
   */
  loadContext(payload: ContextPayload, options?: LoadContextOptions): Promise<ContextInfo> {
    return this.#frame.loadContext(payload, options).catch((error: unknown) => this.#rethrow(error));
  }

  /**
   * Runs one cell. See `SandboxSessionV1.execute`; Python exceptions are results.
   * @throws {SandboxSessionDeadError} reason `'timeout'` (the code ignored the interrupt),
   *   `'out-of-memory'` (the container's memory limit was hit), `'crashed'`, `'destroyed'`.
   * @throws {RLMAbortError} `abortSignal` fired.
   */
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult> {
    return this.#frame.execute(code, options).catch((error: unknown) => this.#rethrow(error));
  }

  /** Stops the runtime and removes (or, with `reuse`, recycles) the container. Idempotent; never throws. */
  destroy(): Promise<void> {
    return this.#frame.destroy();
  }

  #rethrow(error: unknown): never {
    if (SandboxSessionDeadError.isInstance(error) && error.reason === 'out-of-memory') {
      throw new SandboxSessionDeadError(
        `The Python code in the Docker sandbox went over the container's memory limit (${this.#memoryMiB} MiB) ` +
          'and was killed by the out-of-memory killer; the session state is lost. Create a new session, raise ' +
          '`memoryMiB` in createDockerSandbox(...), or have the code process the context in smaller pieces.',
        { sandbox: 'docker', reason: 'out-of-memory', cause: error },
      );
    }
    if (SandboxSessionDeadError.isInstance(error) && error.reason === 'crashed' && this.#exec.exit()?.reason === 'killed') {
      // The container was removed under us (provider closed, `docker rm -f`).
      throw new SandboxSessionDeadError(
        'The Docker sandbox container was stopped or removed from outside the session; create a new session.',
        { sandbox: 'docker', reason: 'destroyed', cause: error },
      );
    }
    throw error;
  }
}
