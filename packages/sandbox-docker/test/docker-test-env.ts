/**
 * Shared set-up of the Docker sandbox tests: which image to use and whether a real engine is
 * available. Without an engine the tests are skipped locally (with a message saying how to get
 * one) but must run, and fail loudly, when `CI` is set.
 */
import Dockerode from 'dockerode';

/** Image the tests run (a local one built by .ci/setup-docker.sh; never pulled). */
export const TEST_IMAGE = process.env['RLMS_DOCKER_IMAGE'] || 'rlms-python:3.11';

export const IN_CI = Boolean(process.env['CI']) && process.env['CI'] !== 'false' && process.env['CI'] !== '0';

export interface EngineProbe {
  readonly available: boolean;
  /** Why the engine tests cannot run, with how to enable them. */
  readonly reason?: string;
}

/** Pings the engine and checks the test image is present. */
export async function probeDockerEngine(docker = new Dockerode()): Promise<EngineProbe> {
  const enable = 'Enable them with `sudo bash .ci/setup-docker.sh` (installs and starts dockerd, builds rlms-python:3.11).';
  try {
    await docker.ping();
  } catch (error) {
    return {
      available: false,
      reason: `Docker engine unreachable (${(error as Error).message}). ${enable}`,
    };
  }
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    return {
      available: false,
      reason: `Docker image ${TEST_IMAGE} is missing (set RLMS_DOCKER_IMAGE to another image with python3 >= 3.10). ${enable}`,
    };
  }
  return { available: true };
}

/**
 * Probes once per test file. Returns `true` when the engine tests should be skipped: only outside
 * CI, after printing why. In CI an unusable engine is not skipped, so the tests fail loudly.
 */
export async function shouldSkipDockerTests(): Promise<boolean> {
  const probe = await probeDockerEngine();
  if (probe.available) return false;
  if (IN_CI) {
    console.error(`[sandbox-docker] CI is set but ${probe.reason}`);
    return false;
  }
  console.warn(`[sandbox-docker] skipping Docker engine tests: ${probe.reason}`);
  return true;
}

/** A suite title that carries the reason when the suite is skipped, so the report says why. */
export function dockerSuiteTitle(title: string, skipped: boolean): string {
  return skipped ? `${title} (skipped: no Docker engine or test image; run \`sudo bash .ci/setup-docker.sh\`)` : title;
}

/** Containers labelled by this package (any owner), for leak checks. */
export async function listSandboxContainers(docker = new Dockerode(), extraLabel?: string): Promise<Dockerode.ContainerInfo[]> {
  const label = ['dev.rlms.sandbox=1'];
  if (extraLabel) label.push(extraLabel);
  return docker.listContainers({ all: true, filters: { label } });
}
