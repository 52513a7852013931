import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import { CREATED_LABEL, OWNER_HOST_LABEL, OWNER_PID_LABEL, SANDBOX_LABEL } from './container-labels.js';
import { engineError, engineStatusCode } from './docker-errors.js';
import { createDefaultDockerClient, describeEndpoint } from './docker-endpoint.js';

/** Options of {@link cleanupStaleContainers}. */
export interface CleanupStaleContainersOptions {
  /** Dockerode client. Default `new Dockerode()` (honours `DOCKER_HOST`). */
  readonly docker?: Dockerode;
  /**
   * Also remove sandbox containers older than this many milliseconds whatever their owner (for
   * containers created on another machine sharing the engine, whose owner cannot be checked).
   * Containers of the calling process are never removed this way. Default: no age limit.
   */
  readonly olderThanMs?: number;
  /** Remove every sandbox container, including those of live processes (this one too). Default `false`. */
  readonly all?: boolean;
}

/** What {@link cleanupStaleContainers} did. */
export interface CleanupStaleContainersResult {
  /** Ids of the containers removed. */
  readonly removed: readonly string[];
  /** Containers that matched but could not be removed, with the engine's reason. */
  readonly failed: readonly { readonly id: string; readonly error: string }[];
}

/**
 * Removes sandbox containers left behind by crashed or killed processes: containers labelled
 * `dev.rlms.sandbox=1` whose owner process (`dev.rlms.owner-pid` on `dev.rlms.owner-host`) no
 * longer runs on this machine. See {@link CleanupStaleContainersOptions} for age-based and total
 * clean-up. Safe to call at start-up of any process using the Docker sandbox.
 *
 * @throws {DockerEngineUnavailableError} when the engine cannot be reached.
 * @throws {ConfigurationError} when no `docker` client is given and `DOCKER_HOST` is malformed.
 */
export async function cleanupStaleContainers(
  options: CleanupStaleContainersOptions = {},
): Promise<CleanupStaleContainersResult> {
  const docker = options.docker ?? createDefaultDockerClient();
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=1`] } });
  } catch (error) {
    throw engineError('list sandbox containers', error, describeEndpoint(docker));
  }
  const now = Date.now();
  const thisHost = hostname();
  const stale = containers.filter((info) => {
    const labels = info.Labels ?? {};
    if (options.all) return true;
    const pid = Number(labels[OWNER_PID_LABEL]);
    const host = labels[OWNER_HOST_LABEL];
    const created = Number(labels[CREATED_LABEL] ?? info.Created * 1000);
    const ownedByUs = host === thisHost && pid === process.pid;
    if (ownedByUs) return false;
    if (host === thisHost && Number.isInteger(pid) && pid > 0 && !processIsAlive(pid)) return true;
    return options.olderThanMs !== undefined && Number.isFinite(created) && now - created > options.olderThanMs;
  });
  const removed: string[] = [];
  const failed: { id: string; error: string }[] = [];
  await Promise.all(
    stale.map(async (info) => {
      try {
        await docker.getContainer(info.Id).remove({ force: true, v: true });
        removed.push(info.Id);
      } catch (error) {
        // 404: already gone; 409: removal already in progress elsewhere. Both fine.
        const status = engineStatusCode(error);
        if (status === 404 || status === 409) removed.push(info.Id);
        else failed.push({ id: info.Id, error: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  return { removed, failed };
}

/** True while a process with this pid exists (a process of another user counts as alive). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
