/**
 * The leak detectors themselves: each must see the leak it is meant to find, or every "zero
 * leaks" figure in docs/reliability.md would be meaningless.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { NO_LEAKS, checkLeaks, leakCount, leaksOnly, takeBaseline } from '../src/baseline.ts';
import { createProcessMark, descendantsOf, findMarkedProcesses } from '../src/leak-check.ts';
import { usePrivateTmpdir } from '../src/private-tmpdir.ts';

describe('leak detectors', () => {
  it('find a marked orphan process, a temp file, an open server and a live worker thread; nothing once they are gone', async () => {
    const tmp = usePrivateTmpdir();
    const mark = createProcessMark();
    try {
      const baseline = await takeBaseline();
      // An orphan: a shell that starts `sleep` in the background and exits, so `sleep` is reparented away from us.
      const shell = spawn('/bin/sh', ['-c', 'sleep 30 & exit 0'], { env: { ...process.env, ...mark.env }, stdio: 'ignore' });
      await new Promise((resolve) => shell.once('exit', resolve));
      writeFileSync(join(tmp.path, 'rlms-local-leftover'), 'x');
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
      await new Promise((resolve) => worker.once('online', resolve));

      const leaky = await checkLeaks({ baseline, mark, tmp, timeoutMs: 300 });
      expect(leaky.markedProcesses.map((info) => info.command)).toEqual(['sleep 30']);
      expect(descendantsOf().some((info) => info.command === 'sleep 30')).toBe(false); // orphaned: only the marker finds it
      expect(leaky.tempEntries).toEqual(['rlms-local-leftover']);
      expect(leaky.handleGrowth.TCPServerWrap).toBe(1);
      expect(leaky.extraThreads).toBeGreaterThan(0);
      expect(leakCount(leaky)).toBeGreaterThanOrEqual(4);
      // checkLeaks killed the leaked process.
      expect(findMarkedProcesses(mark)).toEqual([]);

      await worker.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(join(tmp.path, 'rlms-local-leftover'));
      const clean = await checkLeaks({ baseline, mark, tmp, timeoutMs: 5_000 });
      expect(leaksOnly(clean)).toEqual(NO_LEAKS);
    } finally {
      tmp.dispose();
    }
  });
});
