import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** Runs the probe worker: hardenRealm, then escape attempts from inside the realm. */
function probe(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fixtures/realm-probe-worker.ts', import.meta.url), {
      env: { RLMS_SECRET: 'do-not-leak' },
      execArgv: [],
    });
    worker.once('message', (message: Record<string, unknown>) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('hardenRealm', () => {
  it('leaves an attacker in the worker realm without process, modules, files or network', async () => {
    const reached = await probe();
    expect(reached).toEqual({
      envKeys: 0,
      binding: 'undefined',
      getBuiltinModule: 'undefined',
      dlopen: 'undefined',
      kill: 'undefined',
      report: 'undefined',
      cwd: '/',
      require: 'undefined',
      fetch: 'undefined',
      WebSocket: 'undefined',
      BroadcastChannel: 'undefined',
      capturedReadFileSync: 'blocked',
      capturedExistsSync: 'blocked',
      mountNodeFS: 'blocked',
      loadPackage: 'blocked',
      loadBinaryFile: 'blocked',
      NODEFS: 'undefined',
      moduleNODEFS: 'undefined',
      MEMFS: 'object',
      dynamicImport: 'blocked',
    });
  });
});
