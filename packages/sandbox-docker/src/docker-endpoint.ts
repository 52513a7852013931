import type Dockerode from 'dockerode';
import { DockerEngineUnavailableError, engineError } from './docker-errors.js';

/** Where a Dockerode client connects, for error messages: `unix:///var/run/docker.sock`, `tcp://host:2375`… */
export function describeEndpoint(docker: Dockerode): string {
  const modem = docker.modem as unknown as {
    socketPath?: unknown;
    host?: unknown;
    port?: unknown;
    protocol?: unknown;
  };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  if (typeof modem.socketPath === 'function') return 'a custom socket path';
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
