/**
 * Vitest global setup: points `RLMS_CACHE_DIR` at a temporary directory for the whole run, so no
 * test writes Pyodide snapshots into the user's real cache (`~/.cache/rlms`), and removes it at the
 * end. Test workers inherit the variable. Tests of the cache itself use their own directories.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'rlms-test-cache-'));
  process.env['RLMS_CACHE_DIR'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
