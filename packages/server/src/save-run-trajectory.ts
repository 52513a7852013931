import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile, type RLMResult } from '@rlms/core';
import type { ResolvedServerSettings } from './rlm-server-settings.js';

/**
 * Writes a run's trajectory to `<trajectoryDir>/<id>.json`, readable by the server's user only
 * (file 0600, a folder it creates 0700): trajectories hold the clients' documents and questions.
 * A failure is logged, never thrown (the client still gets its answer).
 */
export async function saveRunTrajectory(settings: ResolvedServerSettings, id: string, result: RLMResult<unknown>): Promise<void> {
  if (settings.trajectoryDir === undefined) return;
  const path = join(settings.trajectoryDir, `${id}.json`);
  try {
    // Ids are unique: an existing file is someone else's, never overwritten (a planted symlink is refused too).
    if (existsSync(path)) throw new Error('a file with this run id already exists');
    await writePrivateFile(path, JSON.stringify(result.trajectory, null, 2) + '\n');
  } catch (error) {
    settings.log({
      level: 'warn',
      event: 'trajectory-error',
      message: `could not write the trajectory ${path}: ${(error as Error).message}`,
    });
  }
}
