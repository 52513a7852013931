import Dockerode from 'dockerode';
import { ConfigurationError } from '@rlms/core/spec';
import { DockerEngineUnavailableError, engineError } from './docker-errors.js';

/**
 * `new Dockerode()` from the environment (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`).
 * @throws {ConfigurationError} when `DOCKER_HOST` is malformed.
 */
export function createDefaultDockerClient(): Dockerode {
  try {
    return new Dockerode();
  } catch (error) {
    throw new ConfigurationError(
      `Cannot create a Docker client from the environment: ${error instanceof Error ? error.message : String(error)}. ` +
        'Set DOCKER_HOST to unix:///var/run/docker.sock or tcp://host:2375 (or unset it), or pass `docker: new Dockerode({...})`.',
      { code: 'invalid-docker-host', cause: error },
    );
  }
}

/** Where a Dockerode client connects, for error messages: `unix:///var/run/docker.sock`, `tcp://host:2375`… */
export function describeEndpoint(docker: Dockerode): string {
  const modem = docker.modem as unknown as {
    socketPath?: unknown;
    host?: unknown;
    port?: unknown;
    protocol?: unknown;
  };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  // dockerode's default: ~/.docker/run/docker.sock when it exists, else /var/run/docker.sock.
  if (typeof modem.socketPath === 'function') return 'unix:///var/run/docker.sock (or ~/.docker/run/docker.sock)';
  if (typeof modem.host === 'string') {
    const protocol = typeof modem.protocol === 'string' ? modem.protocol : 'http';
    return `${protocol}://${modem.host}${modem.port ? `:${String(modem.port)}` : ''}`;
  }
  return process.env['DOCKER_HOST'] ?? 'the default Docker socket';
}

/**
 * Pings the engine.
 * @throws {DockerEngineUnavailableError} when it does not answer.
 */
export async function pingEngine(docker: Dockerode, abortSignal?: AbortSignal): Promise<void> {
  try {
    // dockerode accepts an abort signal here; its type declarations do not say so.
    const ping = docker.ping as unknown as (options: { abortSignal?: AbortSignal }) => Promise<unknown>;
    await ping.call(docker, { abortSignal });
  } catch (error) {
    if (abortSignal?.aborted) throw error;
    const wrapped = engineError('answer a ping', error, describeEndpoint(docker));
    throw DockerEngineUnavailableError.isInstance(wrapped)
      ? wrapped
      : new DockerEngineUnavailableError(describeEndpoint(docker), { cause: error });
  }
}
