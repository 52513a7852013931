import { PyodideWorkerHandle } from './pyodide-worker-handle.js';
import type { ResolvedPyodideSandboxSettings } from './pyodide-sandbox-settings.js';
import { SnapshotCache, snapshotCacheKey, type PyodideSnapshotSource } from './snapshot-cache.js';

const MIB = 1024 * 1024;

/**
 * Starts Pyodide sandbox processes fast: the first one boots CPython from scratch and hands back a
 * memory snapshot of the initialised interpreter (runtime imported, before any model code ran);
 * later ones restore it. A warm pool keeps `warmPoolSize` restored sandboxes booting ahead of
 * demand, so a session usually gets a ready one at once.
 *
 * With `snapshotCacheDir`, the snapshot also outlives the process: the first session of a new
 * process restores the one on disk (when intact and trusted), and a cold boot saves its snapshot
 * there. Security: the snapshot on disk is restored into sandboxes that run hostile code, so it
 * must never hold state written by model code. It is only ever the snapshot a sandbox process
 * sends with its `ready` frame, which the host accepts once, only from a process it asked for one,
 * and before it sends that process any request: no model code, context, tool or setup code has
 * reached that interpreter yet (the worker takes it right after importing the runtime, before
 * `start`). Only this host process writes the file.
 *
 * Pooled sandboxes never keep the host process alive; `close()` kills them and drops the snapshot.
 */
export class WorkerPool {
  private readonly idle: PyodideWorkerHandle[] = [];
  private snapshot: Uint8Array | undefined;
  private readonly cache: SnapshotCache | undefined;
  /** The snapshot being written to disk (awaited by `close()`). */
  private saving: Promise<void> | undefined;
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
    this.cache =
      settings.memorySnapshot && settings.snapshotCacheDir !== undefined
        ? new SnapshotCache(settings.snapshotCacheDir, settings.onWarning)
        : undefined;
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
        // This worker restores the snapshot on disk or makes one, then serves the session itself.
        const first = this.firstWorker();
        this.snapshotPending = first.then(
          () => undefined,
          () => undefined,
        );
        const handle = await first;
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

  /**
   * Terminates pooled workers and frees the snapshot (after it was written to disk, when it was
   * being). Sessions already created live on.
   */
  async close(): Promise<void> {
    this.generation++;
    const saving = this.saving;
    this.saving = undefined;
    const idle = this.idle.splice(0);
    this.snapshot = undefined;
    this.snapshotPending = undefined;
    this.snapshotUsable = this.settings.memorySnapshot;
    this.runtimeSource = undefined;
    await Promise.all([saving, ...idle.map((handle) => handle.terminate('destroyed', 'the sandbox provider was closed'))]);
  }

  /**
   * The worker of the first session: restored from the snapshot on disk when there is a usable one
   * (the first worker of a new process), else booted from scratch to make the snapshot, which is
   * then saved to disk.
   */
  private async firstWorker(): Promise<PyodideWorkerHandle> {
    const generation = this.generation;
    const cache = this.cache;
    let key: string | undefined;
    if (cache) {
      this.runtimeSource ??= this.settings.runtimeSource();
      const memoryLimitBytes = this.settings.memoryLimitMiB * MIB;
      key = snapshotCacheKey({ runtimeSource: this.runtimeSource, memoryLimitBytes });
      const stored = await cache.load(key, memoryLimitBytes);
      if (stored && generation === this.generation) {
        const handle = this.spawn(false, { bytes: stored, origin: 'disk' });
        try {
          await handle.ready;
          if (generation === this.generation) this.snapshot = stored;
          return handle;
        } catch (error) {
          // Not our sandbox's fault when the file is: drop it and boot from scratch.
          await handle.terminate('destroyed', 'its snapshot from disk could not be restored').catch(() => undefined);
          cache.warn(
            `the snapshot ${cache.fileFor(key)} could not be restored ` +
              `(${error instanceof Error ? error.message : String(error)}); booting from scratch and replacing it.`,
          );
          await cache.discard(key);
        }
      }
    }
    const handle = this.spawn(true);
    await this.collectSnapshot(handle, key);
    return handle;
  }

  private spawn(makeSnapshot: boolean, from?: { bytes: Uint8Array; origin: PyodideSnapshotSource }): PyodideWorkerHandle {
    this.runtimeSource ??= this.settings.runtimeSource();
    const snapshot = makeSnapshot ? undefined : (from ?? (this.snapshot ? { bytes: this.snapshot, origin: 'memory' as const } : undefined));
    return new PyodideWorkerHandle({
      runtimeSource: this.runtimeSource,
      makeSnapshot,
      memoryLimitBytes: this.settings.memoryLimitMiB * MIB,
      jsHeapLimitMiB: this.settings.jsHeapLimitMiB,
      processMemoryLimitBytes: this.settings.processMemoryLimitMiB * MIB,
      processDataLimitMiB: this.settings.processDataLimitMiB,
      ...(this.testHookSource === undefined ? {} : { testHookSource: this.testHookSource }),
      snapshotSource: snapshot?.origin ?? 'none',
      ...(snapshot ? { snapshot: snapshot.bytes } : {}),
    });
  }

  /** Takes the snapshot `handle` made at boot; saves it under `key` when the disk cache is on. */
  private async collectSnapshot(handle: PyodideWorkerHandle, key: string | undefined): Promise<void> {
    const generation = this.generation;
    try {
      await handle.ready;
      // Taken at `ready`, before this host sends the worker any request: no model code ran yet.
      const snapshot = handle.takeSnapshot();
      if (!snapshot) throw new Error('the worker returned no snapshot');
      if (generation !== this.generation) return; // close() ran meanwhile
      this.snapshot = snapshot;
      if (this.cache && key !== undefined) {
        const previous = this.saving;
        this.saving = (async () => {
          await previous;
          await this.cache?.save(key, snapshot);
        })();
      }
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
