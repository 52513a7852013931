/**
 * Whether the Docker sandbox can be tested here: a reachable engine and the local test image.
 * Outside CI an unusable engine skips the Docker tests with a message; with `CI` set they run and
 * fail loudly instead, so CI never passes by skipping them.
 */
import Dockerode from 'dockerode';

export const DOCKER_IMAGE = process.env.RLMS_DOCKER_IMAGE || 'rlms-python:3.11';

export const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

export interface DockerProbe {
  readonly usable: boolean;
  readonly reason?: string;
}

/** Pings the engine and looks for the image. Never throws. */
export async function probeDocker(docker: Dockerode = new Dockerode()): Promise<DockerProbe> {
  const fix = 'Run `sudo bash .ci/setup-docker.sh` (starts dockerd and builds rlms-python:3.11), or set RLMS_DOCKER_IMAGE.';
  try {
    await docker.ping();
  } catch (error) {
    return { usable: false, reason: `no Docker engine (${(error as Error).message}). ${fix}` };
  }
  try {
    await docker.getImage(DOCKER_IMAGE).inspect();
  } catch {
    return { usable: false, reason: `the image ${DOCKER_IMAGE} is missing. ${fix}` };
  }
  return { usable: true };
}

/** True when the Docker tests must be skipped (not in CI, engine or image missing); says why on stderr. */
export async function skipDocker(): Promise<boolean> {
  const probe = await probeDocker();
  if (probe.usable) return false;
  if (IN_CI) {
    console.error(`[reliability] CI is set, so the Docker tests run anyway and will fail: ${probe.reason}`);
    return false;
  }
  console.warn(`[reliability] skipping the Docker sandbox tests: ${probe.reason}`);
  return true;
}

/** Sandbox containers owned by this process (labels set by @rlms/sandbox-docker). */
export async function ownContainers(docker: Dockerode = new Dockerode()): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: ['dev.rlms.sandbox=1', `dev.rlms.owner-pid=${process.pid}`] } });
}
