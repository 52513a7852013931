/**
 * Points `os.tmpdir()` of this process at a fresh private directory, so every temp entry a
 * sandbox creates (the local sandbox's `rlms-local-*` session dirs, the cloud fakes' roots) lands
 * where a leak check can see it, without confusing it with other processes' files in `/tmp`.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateTmpdir {
  readonly path: string;
  /** Names of the entries now in the directory. */
  entries(): string[];
  /** Restores `TMPDIR` and removes the directory (with anything left in it). */
  dispose(): void;
}

/** Creates the directory and sets `process.env.TMPDIR` to it until `dispose()`. */
export function usePrivateTmpdir(prefix = 'rlms-reliability-'): PrivateTmpdir {
  const previous = process.env.TMPDIR;
  const path = mkdtempSync(join(tmpdir(), prefix));
  process.env.TMPDIR = path;
  return {
    path,
    entries: () => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    dispose: () => {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(path, { recursive: true, force: true });
    },
  };
}
