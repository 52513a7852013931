/**
 * How a sandbox process boots: it starts its Pyodide worker from its command line at once, and
 * boots when the host's `boot` frame says how (restore a snapshot, or boot from scratch). The host
 * starts the process before it has read the snapshot from disk, and boots it afterwards.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PyodideWorkerHandle, type WorkerHandleOptions } from '../src/pyodide-worker-handle.js';
import { resolvePyodideSandboxSettings } from '../src/pyodide-sandbox-settings.js';
import { FrameDecoder, encodeFrame } from '../src/worker/channel-frames.js';

const MIB = 1024 * 1024;
const settings = resolvePyodideSandboxSettings({});
const handleOptions: WorkerHandleOptions = {
  runtimeSource: settings.runtimeSource(),
  memoryLimitBytes: settings.memoryLimitMiB * MIB,
  jsHeapLimitMiB: settings.jsHeapLimitMiB,
  processMemoryLimitBytes: settings.processMemoryLimitMiB * MIB,
  processDataLimitMiB: settings.processDataLimitMiB,
};

describe('sandbox process boot', () => {
  it('a process started without being told how to boot boots when told, once', async () => {
    const handle = new PyodideWorkerHandle(handleOptions);
    try {
      expect(handle.pid).toBeTypeOf('number');
      expect(handle.isDead).toBe(false);
      handle.boot({ makeSnapshot: true, snapshotSource: 'none' });
      // A second plan is ignored: the process boots once, as first told.
      handle.boot({ makeSnapshot: false, snapshot: new Uint8Array([1, 2, 3]), snapshotSource: 'disk' });
      const ready = await handle.ready;
      expect(ready.pythonVersion).toMatch(/^3\.\d+/);
      expect(handle.snapshotSource).toBe('none');
      // It was asked for a snapshot, and made one before any request reached it.
      expect(handle.takeSnapshot()?.byteLength).toBeGreaterThan(MIB);
      const reply = await handle.request({ type: 'execute', code: 'print(6 * 7)' });
      expect(reply.json).toContain('42');
    } finally {
      await handle.terminate('destroyed', 'test over');
    }
  });

  it('the pool restores its snapshot into a process booted after the fact', async () => {
    const maker = new PyodideWorkerHandle({ ...handleOptions, boot: { makeSnapshot: true, snapshotSource: 'none' } });
    const snapshot = await maker.ready.then(() => maker.takeSnapshot());
    await maker.terminate('destroyed', 'snapshot taken');
    expect(snapshot).toBeDefined();
    const handle = new PyodideWorkerHandle(handleOptions);
    try {
      handle.boot({ makeSnapshot: false, snapshot: snapshot!, snapshotSource: 'disk' });
      await handle.ready;
      expect(handle.snapshotSource).toBe('disk');
      // A restored process was not asked for a snapshot and sends none.
      expect(handle.takeSnapshot()).toBeUndefined();
      const reply = await handle.request({ type: 'execute', code: 'print(sum(range(10)))' });
      expect(reply.json).toContain('45');
    } finally {
      await handle.terminate('destroyed', 'test over');
    }
  });

  it('a process started without Pyodide\'s location says so in a boot-failed frame and exits', async () => {
    const entry = fileURLToPath(new URL('../src/worker/sandbox-process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--no-warnings', entry], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: {} });
    const channel = child.stdio[3] as Readable;
    const decoder = new FrameDecoder({ header: MIB, attachment: MIB });
    const headers: Record<string, unknown>[] = [];
    channel.on('data', (chunk: Buffer) => headers.push(...decoder.push(chunk).map((frame) => frame.header)));
    // A boot frame changes nothing: there is no worker to boot.
    for (const chunk of encodeFrame({ type: 'boot', runtimeSource: '', makeSnapshot: false, memoryLimitBytes: 64 * MIB, hostPollMs: 25, maxFrameBytes: MIB })) {
      (child.stdio[3] as NodeJS.WritableStream).write(chunk);
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(headers).toEqual([{ type: 'boot-failed', message: "the sandbox process was started without Pyodide's location and heap limit" }]);
  });
});
