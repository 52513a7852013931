import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RLMResult } from '@rlms/core';
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
    await mkdir(settings.trajectoryDir, { recursive: true, mode: 0o700 });
    // `wx`: ids are unique, so an existing file (or a planted symlink) is never written through.
    await writeFile(path, JSON.stringify(result.trajectory, null, 2) + '\n', { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    // The mode above is masked by the umask, which can only remove bits; make it exact anyway.
    await chmod(path, 0o600);
  } catch (error) {
    settings.log({
      level: 'warn',
      event: 'trajectory-error',
      message: `could not write the trajectory ${path}: ${(error as Error).message}`,
    });
  }
}
