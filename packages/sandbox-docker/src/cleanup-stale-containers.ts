import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import {
  CREATED_LABEL,
  OWNER_HOST_LABEL,
  OWNER_MACHINE_LABEL,
  OWNER_PID_LABEL,
  OWNER_STARTED_LABEL,
  SANDBOX_LABEL,
  machineId,
  processStartTimeMs,
} from './container-labels.js';
import { engineError, engineStatusCode } from './docker-errors.js';
import { createDefaultDockerClient, describeEndpoint } from './docker-endpoint.js';

/** Options of {@link cleanupStaleContainers}. */
export interface CleanupStaleContainersOptions {
  /** Dockerode client. Default `new Dockerode()` (honours `DOCKER_HOST`). */
  readonly docker?: Dockerode;
  /**
   * Also remove sandbox containers created on another machine sharing the engine (or without
   * owner labels), whose owner cannot be checked from here, once they are older than this many
   * milliseconds. Containers of live processes on this machine are never removed this way.
   * Default: such containers are kept.
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
 * `dev.rlms.sandbox=1` whose owner process (`dev.rlms.owner-pid` on `dev.rlms.owner-host` and
 * `dev.rlms.owner-machine`) no longer runs on this machine (a later process that reused the pid is told apart by its start
 * time, on Linux). See {@link CleanupStaleContainersOptions} for containers of other machines and
 * for total clean-up. Safe to call at any time from any process: containers of live processes on
 * this machine, the caller's included, are left alone unless `all` is set.
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
  const thisMachine = machineId();
  const stale = containers.filter((info) => {
    const labels = info.Labels ?? {};
    if (options.all) return true;
    const pid = Number(labels[OWNER_PID_LABEL]);
    const host = labels[OWNER_HOST_LABEL];
    const machine = labels[OWNER_MACHINE_LABEL];
    const sameMachine = machine === undefined || thisMachine === undefined || machine === thisMachine;
    if (host === thisHost && sameMachine && Number.isInteger(pid) && pid > 0) {
      return !ownerIsAlive(pid, Number(labels[OWNER_STARTED_LABEL]));
    }
    const created = Number(labels[CREATED_LABEL] ?? info.Created * 1000);
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

/**
 * True while the process that created a container still runs: a process with this pid exists (one
 * of another user counts) and, where start times are known, it started when the owner did.
 */
function ownerIsAlive(pid: number, startedMs: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const actualStart = processStartTimeMs(pid);
  if (actualStart === undefined || !Number.isFinite(startedMs)) return true;
  // Both come from the same clock on this machine; allow for rounding and a fallback estimate.
  return Math.abs(actualStart - startedMs) < 2000;
}
