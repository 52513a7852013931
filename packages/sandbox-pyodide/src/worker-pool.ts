import { PyodideWorkerHandle } from './pyodide-worker-handle.js';
import type { ResolvedPyodideSandboxSettings } from './pyodide-sandbox-settings.js';

const MIB = 1024 * 1024;

/**
 * Starts Pyodide sandbox processes fast: the first one boots CPython from scratch and hands back a
 * memory snapshot of the initialised interpreter (runtime imported, before any model code ran);
 * later ones restore it. A warm pool keeps `warmPoolSize` restored sandboxes booting ahead of
 * demand, so a session usually gets a ready one at once.
 *
 * Pooled sandboxes never keep the host process alive; `close()` kills them and drops the snapshot.
 */
export class WorkerPool {
  private readonly idle: PyodideWorkerHandle[] = [];
  private snapshot: Uint8Array | undefined;
  private snapshotPending: Promise<void> | undefined;
  /** False after snapshot creation failed once: every worker then boots from scratch. */
  private snapshotUsable: boolean;
  private runtimeSource: string | undefined;
  private refillScheduled = false;
  /** Bumped by `close()`, so a refill scheduled before it does nothing. */
  private generation = 0;

  private readonly settings: ResolvedPyodideSandboxSettings;
  private readonly testHookSource: string | undefined;

  constructor(settings: ResolvedPyodideSandboxSettings, testHookSource?: string) {
    this.settings = settings;
    this.testHookSource = testHookSource;
    this.snapshotUsable = settings.memorySnapshot;
  }

  /** A worker for a new session: from the pool when one is there, else started now. */
  async acquire(): Promise<PyodideWorkerHandle> {
    while (this.idle.length > 0) {
      const handle = this.idle.shift()!;
      if (handle.isDead) continue;
      handle.setPooled(false);
      this.scheduleRefill();
      return handle;
    }
    if (this.snapshotUsable && !this.snapshot) {
      if (!this.snapshotPending) {
        // This worker makes the snapshot, then serves the session itself.
        const handle = this.spawn(true);
        this.snapshotPending = this.collectSnapshot(handle);
        await this.snapshotPending;
        this.scheduleRefill();
        return handle;
      }
      // Another session is making the snapshot: restoring it beats a parallel cold boot.
      await this.snapshotPending;
    }
    const handle = this.spawn(false);
    this.scheduleRefill();
    return handle;
  }

  /** Terminates pooled workers and frees the snapshot. Sessions already created live on. */
  async close(): Promise<void> {
    this.generation++;
    const idle = this.idle.splice(0);
    this.snapshot = undefined;
    this.snapshotPending = undefined;
    this.snapshotUsable = this.settings.memorySnapshot;
    this.runtimeSource = undefined;
    await Promise.all(idle.map((handle) => handle.terminate('destroyed', 'the sandbox provider was closed')));
  }

  private spawn(makeSnapshot: boolean): PyodideWorkerHandle {
    this.runtimeSource ??= this.settings.runtimeSource();
    return new PyodideWorkerHandle({
      runtimeSource: this.runtimeSource,
      makeSnapshot,
      memoryLimitBytes: this.settings.memoryLimitMiB * MIB,
      jsHeapLimitMiB: this.settings.jsHeapLimitMiB,
      processMemoryLimitBytes: this.settings.processMemoryLimitMiB * MIB,
      processDataLimitMiB: this.settings.processDataLimitMiB,
      ...(this.testHookSource === undefined ? {} : { testHookSource: this.testHookSource }),
      ...(this.snapshot && !makeSnapshot ? { snapshot: this.snapshot } : {}),
    });
  }

  private async collectSnapshot(handle: PyodideWorkerHandle): Promise<void> {
    const generation = this.generation;
    try {
      await handle.ready;
      const snapshot = handle.takeSnapshot();
      if (!snapshot) throw new Error('the worker returned no snapshot');
      if (generation === this.generation) this.snapshot = snapshot; // else close() ran meanwhile
    } catch {
      // Boot failures surface through the handle's own `ready`; without a snapshot, boot from scratch.
      if (!this.snapshot) this.snapshotUsable = false;
    }
  }

  private scheduleRefill(): void {
    if (this.refillScheduled || this.settings.warmPoolSize === 0) return;
    // Without a snapshot a refill would be a full cold boot competing with the session for CPU.
    if (this.snapshotUsable && !this.snapshot) return;
    this.refillScheduled = true;
    const generation = this.generation;
    setImmediate(() => {
      this.refillScheduled = false;
      if (generation !== this.generation) return;
      for (let index = this.idle.length - 1; index >= 0; index--) {
        if (this.idle[index]?.isDead) this.idle.splice(index, 1);
      }
      while (this.idle.length < this.settings.warmPoolSize) {
        const handle = this.spawn(false);
        handle.setPooled(true);
        this.idle.push(handle);
      }
    }).unref();
  }
}
