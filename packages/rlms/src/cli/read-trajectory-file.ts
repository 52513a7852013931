import type { Trajectory } from '@rlms/core';
import { readRegularFile } from '../loaders/read-regular-file.js';
import { trajectoryProblem } from './check-trajectory.js';
import { UsageError } from './usage-error.js';

/** Default largest trajectory file `rlms replay` reads (256 MiB). */
export const DEFAULT_MAX_TRAJECTORY_BYTES = 256 * 1024 * 1024;

/**
 * Reads a trajectory file for replay, treating it as untrusted: a regular file only (a FIFO or
 * device is refused without being opened for a blocking read), its size checked before it is read
 * whole, then parsed and checked for the shape replay reads (see `trajectoryProblem`). Throws
 * `UsageError` (exit code 2) saying what is wrong and how to fix it.
 */
export async function readTrajectoryFile(path: string, maxBytes: number = DEFAULT_MAX_TRAJECTORY_BYTES): Promise<Trajectory> {
  const read = await readRegularFile(path, maxBytes);
  if (!read.ok) {
    if (read.reason === 'too-large') {
      throw new UsageError(`The trajectory ${path} is larger than ${maxBytes} bytes (${read.detail}); to replay it anyway, raise the limit with --max-bytes.`, 'replay');
    }
    if (read.reason === 'special') throw new UsageError(`Cannot read the trajectory ${path}: it is ${read.detail}. Give a trajectory file saved with --save-trajectory.`, 'replay');
    throw new UsageError(`Cannot read the trajectory ${path}: ${read.detail}`, 'replay');
  }
  let value: unknown;
  try {
    value = JSON.parse(read.bytes.toString('utf8'));
  } catch (error) {
    throw new UsageError(`Cannot read the trajectory ${path}: ${path} is not valid JSON (${(error as Error).message}).`, 'replay');
  }
  const problem = trajectoryProblem(value);
  if (problem !== undefined) {
    throw new UsageError(`${path} is not an rlms trajectory that can be replayed: ${problem}. Give a file saved with \`rlms ask --save-trajectory\` (or saveTrajectory in code).`, 'replay');
  }
  return value as Trajectory;
}
