export { createDockerSandbox, DockerSandboxProvider } from './docker-sandbox-provider.js';
export { DockerSandboxSession } from './docker-sandbox-session.js';
export { DEFAULT_DOCKER_IMAGE } from './docker-sandbox-settings.js';
export type { DockerSandboxSettings, ResolvedDockerSandboxSettings } from './docker-sandbox-settings.js';
export { cleanupStaleContainers } from './cleanup-stale-containers.js';
export type { CleanupStaleContainersOptions, CleanupStaleContainersResult } from './cleanup-stale-containers.js';
export { DockerEngineUnavailableError, DockerImageNotFoundError, DockerPythonUnavailableError } from './docker-errors.js';
export {
  SANDBOX_LABEL,
  OWNER_PID_LABEL,
  OWNER_STARTED_LABEL,
  OWNER_HOST_LABEL,
  OWNER_MACHINE_LABEL,
  OWNER_INSTANCE_LABEL,
  CREATED_LABEL,
} from './container-labels.js';
