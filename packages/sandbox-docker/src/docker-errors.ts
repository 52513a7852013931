import { RLMError, SandboxError } from '@rlms/core/spec';

const SANDBOX = 'docker';

/** The debootstrap recipe shown when an image is missing and cannot be pulled. */
const LOCAL_IMAGE_RECIPE = [
  '  sudo debootstrap --variant=minbase --include=python3 bookworm /tmp/rootfs http://deb.debian.org/debian',
  '  sudo tar -C /tmp/rootfs -c . | docker import - rlms-python:3.11',
  'then pass createDockerSandbox({ image: "rlms-python:3.11" }) (or run `sudo bash .ci/setup-docker.sh` in the rlms repository).',
].join('\n');

/**
 * The Docker engine cannot be reached (not installed, not running, wrong `DOCKER_HOST`, no
 * permission on the socket). Nothing was created.
 */
export class DockerEngineUnavailableError extends SandboxError {
  /** Where the client tried to connect, e.g. `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  constructor(endpoint: string, options: { cause?: unknown } = {}) {
    const detail = causeMessage(options.cause);
    super(
      `Cannot reach the Docker engine at ${endpoint}${detail ? ` (${detail})` : ''}. ` +
        'Start Docker (`sudo systemctl start docker`, Docker Desktop, or `sudo dockerd &`), ' +
        'set DOCKER_HOST to the engine you want (e.g. unix:///var/run/docker.sock or tcp://host:2375), ' +
        'or pass createDockerSandbox({ docker: new Dockerode({...}) }). ' +
        'If the socket exists but access is denied, add your user to the `docker` group.',
      { sandbox: SANDBOX, code: 'docker-engine-unavailable', cause: options.cause },
    );
    this.name = 'DockerEngineUnavailableError';
    this.endpoint = endpoint;
  }
  static override isInstance(error: unknown): error is DockerEngineUnavailableError {
    return RLMError.isInstance(error) && error.name === 'DockerEngineUnavailableError';
  }
}

/** The configured image is not on the engine and could not be pulled (or pulling is disabled). */
export class DockerImageNotFoundError extends SandboxError {
  readonly image: string;
  constructor(image: string, options: { pulled: boolean; cause?: unknown }) {
    const detail = causeMessage(options.cause);
    super(
      `Docker image "${image}" is not available on the engine` +
        (options.pulled ? ` and pulling it failed${detail ? ` (${detail})` : ''}` : ' and pulling is disabled (pull: "never")') +
        `. Get it with \`docker pull ${image}\`, or use any local image that has python3 >= 3.10, ` +
        'for example one built without a registry:\n' +
        LOCAL_IMAGE_RECIPE,
      { sandbox: SANDBOX, code: 'docker-image-not-found', cause: options.cause },
    );
    this.name = 'DockerImageNotFoundError';
    this.image = image;
  }
  static override isInstance(error: unknown): error is DockerImageNotFoundError {
    return RLMError.isInstance(error) && error.name === 'DockerImageNotFoundError';
  }
}

/** The image has no usable Python (missing `python3`, or older than 3.10). */
export class DockerPythonUnavailableError extends SandboxError {
  readonly image: string;
  constructor(image: string, detail: string, options: { cause?: unknown } = {}) {
    super(
      `Docker image "${image}" cannot run the rlms runtime: ${detail}. ` +
        'Use an image with python3 >= 3.10 and its standard library (default python:3.12-slim), ' +
        'or point `pythonPath` at the interpreter inside the image.',
      { sandbox: SANDBOX, code: 'docker-python-unavailable', cause: options.cause },
    );
    this.name = 'DockerPythonUnavailableError';
    this.image = image;
  }
  static override isInstance(error: unknown): error is DockerPythonUnavailableError {
    return RLMError.isInstance(error) && error.name === 'DockerPythonUnavailableError';
  }
}

/** Error codes of a socket that never reached the engine. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** True when `error` comes from a connection to the engine that failed, not from the engine's reply. */
export function isEngineConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return statusCode === undefined && typeof code === 'string' && CONNECTION_CODES.has(code);
}

/** HTTP status of an engine reply carried by a dockerode error, if any. */
export function engineStatusCode(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A short, single-line description of an engine error (dockerode puts the engine's message in `json.message`). */
export function causeMessage(error: unknown): string {
  if (error === undefined || error === null) return '';
  const json = (error as { json?: { message?: unknown } }).json;
  if (json && typeof json.message === 'string') return json.message.trim();
  if (error instanceof Error) return error.message.replace(/\s+/g, ' ').trim();
  return String(error);
}

/** Wraps an unexpected engine failure in a `SandboxError` whose message says what was being done. */
export function engineError(action: string, error: unknown, endpoint: string): SandboxError {
  if (RLMError.isInstance(error)) return error as SandboxError;
  if (isEngineConnectionError(error)) return new DockerEngineUnavailableError(endpoint, { cause: error });
  return new SandboxError(`Docker engine failed to ${action}: ${causeMessage(error)}`, {
    sandbox: SANDBOX,
    code: 'docker-engine',
    cause: error,
  });
}
