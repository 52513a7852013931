import type Dockerode from 'dockerode';
import {
  DockerEngineUnavailableError,
  DockerImageNotFoundError,
  engineError,
  engineStatusCode,
  isEngineConnectionError,
} from './docker-errors.js';
import { describeEndpoint } from './docker-endpoint.js';

/**
 * Makes sure `image` is on the engine: inspects it, and pulls it once when it is missing and
 * `pull` is `'missing'`.
 *
 * @throws {DockerImageNotFoundError} when it is missing and cannot (or may not) be pulled.
 * @throws {DockerEngineUnavailableError} when the engine cannot be reached.
 */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  pull: 'missing' | 'never',
  abortSignal?: AbortSignal,
): Promise<void> {
  const endpoint = describeEndpoint(docker);
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if (abortSignal?.aborted) throw abortSignal.reason;
    if (engineStatusCode(error) !== 404) throw engineError(`inspect image "${image}"`, error, endpoint);
  }
  if (pull === 'never') throw new DockerImageNotFoundError(image, { pulled: false });
  try {
    const progress = await docker.pull(image, { abortSignal });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (error: Error | null, output: readonly { error?: string }[]) => {
        const failed = output?.find((event) => typeof event.error === 'string');
        if (error) reject(error);
        else if (failed) reject(new Error(failed.error));
        else resolve();
      });
    });
    await docker.getImage(image).inspect();
  } catch (error) {
    if (abortSignal?.aborted) throw abortSignal.reason;
    if (isEngineConnectionError(error)) throw new DockerEngineUnavailableError(endpoint, { cause: error });
    throw new DockerImageNotFoundError(image, { pulled: true, cause: error });
  }
}
