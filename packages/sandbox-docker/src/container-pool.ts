import type Dockerode from 'dockerode';
import { SandboxError } from '@rlms/core/spec';
import type { ResolvedDockerSandboxSettings } from './docker-sandbox-settings.js';
import { SandboxContainer } from './sandbox-container.js';

/**
 * Hands out sandbox containers: a fresh one per session, or (with `reuse`) an idle one a
 * destroyed session gave back after its processes were killed and its work directory emptied.
 * Tracks every container it handed out so `close()` can remove them all.
 */
export class ContainerPool {
  private readonly idle: SandboxContainer[] = [];
  private readonly live = new Set<SandboxContainer>();
  private closed = false;

  constructor(
    private readonly docker: Dockerode,
    private readonly settings: ResolvedDockerSandboxSettings,
    /** The provider's id, stored on each container it creates (`dev.rlms.owner-instance`). */
    private readonly instanceId: string,
  ) {}

  /** Number of containers currently handed out or idle (for tests and diagnostics). */
  get size(): number {
    return this.live.size + this.idle.length;
  }

  /** An idle container that is still running, or a new one. */
  async acquire(abortSignal?: AbortSignal): Promise<SandboxContainer> {
    while (this.idle.length > 0) {
      const candidate = this.idle.pop() as SandboxContainer;
      const state = await candidate.state();
      if (state?.running) {
        this.live.add(candidate);
        return candidate;
      }
      await candidate.remove();
    }
    const container = await SandboxContainer.create(this.docker, this.settings, abortSignal, this.instanceId);
    if (this.closed) {
      await container.remove();
      throw new SandboxError('The Docker sandbox provider was closed while the session was starting.', {
        sandbox: 'docker',
        code: 'provider-closed',
      });
    }
    this.live.add(container);
    return container;
  }

  /**
   * Takes a container back. With `reusable` and room in the idle list it is reset and kept,
   * otherwise removed. Never throws.
   */
  async release(container: SandboxContainer, reusable: boolean): Promise<void> {
    this.live.delete(container);
    if (reusable && !this.closed && !container.removed && this.idle.length < this.settings.maxIdle) {
      if (await container.reset()) {
        if (!this.closed && this.idle.length < this.settings.maxIdle) {
          this.idle.push(container);
          return;
        }
      }
    }
    await container.remove();
  }

  /** Removes idle containers and every container still handed out. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.splice(0), ...this.live];
    this.live.clear();
    await Promise.all(all.map((container) => container.remove()));
  }
}
