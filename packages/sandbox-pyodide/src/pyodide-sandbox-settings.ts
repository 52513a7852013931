import { ConfigurationError } from '@rlms/core/spec';
import { readRuntimeSource } from '@rlms/core/sandbox';
import { resolve } from 'node:path';
import { defaultSnapshotCacheDir } from './snapshot-cache.js';

/** Settings of `createPyodideSandbox()`. Every field is optional. */
export interface PyodideSandboxSettings {
  /**
   * Upper bound of each session's WebAssembly heap, in MiB. Python code that needs more gets
   * `MemoryError` (the session lives on); an interpreter that cannot recover is reported dead with
   * `SandboxSessionDeadError` reason `'out-of-memory'`. Loading a text context needs about twice
   * its size (bytes + the decoded `str`), a JSON context several times more.
   * Default 2048; between 64 and 4095.
   */
  readonly memoryLimitMiB?: number;
  /**
   * Limit of the sandbox's JavaScript heap (V8 old generation of its Pyodide thread), in MiB.
   * Exceeding it ends the sandbox process (`SandboxSessionDeadError` reason `'out-of-memory'`),
   * not the host process.
   * Default: half of `memoryLimitMiB`, at least 256; between 128 and 16384.
   */
  readonly jsHeapLimitMiB?: number;
  /**
   * Sandbox processes booted ahead of time so `createSession()` returns at once. Idle ones never
   * keep the host process alive; `provider.close()` ends them. Each costs about 150–200 MB of memory.
   * Default 1; 0 disables the pool.
   */
  readonly warmPoolSize?: number;
  /**
   * Boot sessions from a memory snapshot of an initialised interpreter taken by the first
   * session (about 10× faster than booting CPython). Default true.
   */
  readonly memorySnapshot?: boolean;
  /**
   * Directory where the memory snapshot is kept between processes, so a new process starts its
   * first session from it (about as fast as a later session) instead of booting CPython.
   * `false` disables it. Only the host writes there (0700 directory, 0600 files, checked by
   * digest); a directory or file owned by another user or writable by others is ignored with a
   * warning. Default: `$RLMS_CACHE_DIR/pyodide-snapshots`, else
   * `$XDG_CACHE_HOME/rlms/pyodide-snapshots`, else `~/.cache/rlms/pyodide-snapshots`;
   * `RLMS_CACHE_DIR=off` disables it. Unused when `memorySnapshot` is false.
   */
  readonly snapshotCacheDir?: string | false;
  /**
   * Receives warnings that change nothing for the caller but cost time, such as a snapshot file
   * that was refused or could not be written (the session then boots from scratch).
   * Default: `process.emitWarning`.
   */
  readonly onWarning?: (message: string) => void;
  /**
   * After `timeoutMs` (or an abort) interrupts the code with `KeyboardInterrupt`, how long Python
   * may take to stop before its sandbox process is killed and the session reported dead
   * (`SandboxSessionDeadError`, reason `'timeout'`). In milliseconds; default 2000.
   */
  readonly interruptGraceMs?: number;
  /**
   * Move (transfer) the context's `ArrayBuffer` into the sandbox instead of reading it in place:
   * the `Uint8Array` given to `loadContext()` is detached afterwards (length 0) when it spans its
   * whole buffer, so the caller cannot change it while it is written. Default false.
   */
  readonly transferContextBytes?: boolean;
  /**
   * Source of the Python REPL runtime. Default: the runtime shipped with `@rlms/core`
   * (`readRuntimeSource()`). Override only to test a modified runtime.
   */
  readonly runtimeSource?: string;
}

/**
 * Resident memory of a sandbox process beyond its WebAssembly heap, its Pyodide thread's JavaScript
 * heap and a context in flight: Node itself, the relay thread, Pyodide's JavaScript (~230 MiB
 * resident measured after boot, with room to spare).
 */
export const PROCESS_OVERHEAD_MIB = 320;
/**
 * `RLIMIT_DATA` counts writable memory that is reserved, not only resident: a sandbox process has
 * ~1.35 GiB of it before running anything (thread stacks, allocator arenas, V8 reservations).
 */
export const PROCESS_DATA_SLACK_MIB = 1536;

/** Settings with every default applied. */
export interface ResolvedPyodideSandboxSettings {
  readonly memoryLimitMiB: number;
  readonly jsHeapLimitMiB: number;
  /**
   * Resident memory above which a sandbox process is killed: memoryLimitMiB + jsHeapLimitMiB + a
   * quarter of memoryLimitMiB (the largest context, in flight) + PROCESS_OVERHEAD_MIB.
   */
  readonly processMemoryLimitMiB: number;
  /** `RLIMIT_DATA` of a sandbox process: processMemoryLimitMiB + PROCESS_DATA_SLACK_MIB. */
  readonly processDataLimitMiB: number;
  readonly warmPoolSize: number;
  readonly memorySnapshot: boolean;
  /** Absolute snapshot directory, or `undefined` when the on-disk cache is off. */
  readonly snapshotCacheDir: string | undefined;
  readonly onWarning: (message: string) => void;
  readonly interruptGraceMs: number;
  readonly transferContextBytes: boolean;
  /** Read lazily (at the first session), so the factory does no I/O. */
  readonly runtimeSource: () => string;
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `createPyodideSandbox(): \`${name}\` must be an integer between ${min} and ${max}, got ${String(value)}.`,
      { code: 'invalid-setting' },
    );
  }
  return value;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ConfigurationError(`createPyodideSandbox(): \`${name}\` must be true or false, got ${String(value)}.`, {
      code: 'invalid-setting',
    });
  }
  return value;
}

/** Validates settings and applies defaults. Throws `ConfigurationError` naming the bad setting. */
export function resolvePyodideSandboxSettings(settings: PyodideSandboxSettings = {}): ResolvedPyodideSandboxSettings {
  if (typeof settings !== 'object' || settings === null) {
    throw new ConfigurationError('createPyodideSandbox(settings): `settings` must be an object.', { code: 'invalid-setting' });
  }
  const memoryLimitMiB = integer('memoryLimitMiB', settings.memoryLimitMiB, 2048, 64, 4095);
  const jsHeapLimitMiB = integer(
    'jsHeapLimitMiB',
    settings.jsHeapLimitMiB,
    Math.max(256, Math.ceil(memoryLimitMiB / 2)),
    128,
    16_384,
  );
  const runtimeSource = settings.runtimeSource;
  if (runtimeSource !== undefined && (typeof runtimeSource !== 'string' || runtimeSource.trim() === '')) {
    throw new ConfigurationError(
      'createPyodideSandbox(): `runtimeSource` must be the non-empty Python source of the runtime; omit it to use the one from @rlms/core.',
      { code: 'invalid-setting' },
    );
  }
  const { snapshotCacheDir, onWarning } = settings;
  if (snapshotCacheDir !== undefined && snapshotCacheDir !== false && (typeof snapshotCacheDir !== 'string' || snapshotCacheDir.trim() === '')) {
    throw new ConfigurationError(
      'createPyodideSandbox(): `snapshotCacheDir` must be a directory path or false (no snapshot on disk); omit it for the default cache directory.',
      { code: 'invalid-setting' },
    );
  }
  if (onWarning !== undefined && typeof onWarning !== 'function') {
    throw new ConfigurationError('createPyodideSandbox(): `onWarning` must be a function (message: string) => void.', {
      code: 'invalid-setting',
    });
  }
  const processMemoryLimitMiB = memoryLimitMiB + jsHeapLimitMiB + Math.ceil(memoryLimitMiB / 4) + PROCESS_OVERHEAD_MIB;
  return {
    memoryLimitMiB,
    jsHeapLimitMiB,
    processMemoryLimitMiB,
    processDataLimitMiB: processMemoryLimitMiB + PROCESS_DATA_SLACK_MIB,
    warmPoolSize: integer('warmPoolSize', settings.warmPoolSize, 1, 0, 16),
    memorySnapshot: flag('memorySnapshot', settings.memorySnapshot, true),
    snapshotCacheDir: snapshotCacheDir === false ? undefined : snapshotCacheDir === undefined ? defaultSnapshotCacheDir() : resolve(snapshotCacheDir),
    onWarning: onWarning ?? ((message) => process.emitWarning(message, { code: 'RLMS_PYODIDE_SNAPSHOT_CACHE' })),
    interruptGraceMs: integer('interruptGraceMs', settings.interruptGraceMs, 2000, 0, 600_000),
    transferContextBytes: flag('transferContextBytes', settings.transferContextBytes, false),
    runtimeSource: runtimeSource === undefined ? readRuntimeSource : () => runtimeSource,
  };
}
