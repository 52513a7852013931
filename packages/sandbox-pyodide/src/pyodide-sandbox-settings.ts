import { ConfigurationError, readRuntimeSource } from '@rlms/core';

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
   * Limit of the worker's JavaScript heap (V8 old generation), in MiB. Exceeding it ends the
   * worker (`SandboxSessionDeadError` reason `'out-of-memory'`), not the host process.
   * Default: half of `memoryLimitMiB`, at least 256; between 128 and 16384.
   */
  readonly jsHeapLimitMiB?: number;
  /**
   * Workers booted ahead of time so `createSession()` returns at once. Idle workers never keep
   * the process alive; `provider.close()` ends them. Each costs about 60–80 MB of memory.
   * Default 1; 0 disables the pool.
   */
  readonly warmPoolSize?: number;
  /**
   * Boot sessions from a memory snapshot of an initialised interpreter taken by the first
   * session (about 10× faster than booting CPython). Default true.
   */
  readonly memorySnapshot?: boolean;
  /**
   * After `timeoutMs` (or an abort) interrupts the code with `KeyboardInterrupt`, how long Python
   * may take to stop before the worker is terminated and the session reported dead
   * (`SandboxSessionDeadError`, reason `'timeout'`). In milliseconds; default 2000.
   */
  readonly interruptGraceMs?: number;
  /**
   * Move (transfer) the context's `ArrayBuffer` to the worker instead of copying it: saves one
   * copy of the context, but the `Uint8Array` given to `loadContext()` is detached afterwards
   * (length 0) when it spans its whole buffer. Default false.
   */
  readonly transferContextBytes?: boolean;
  /**
   * Source of the Python REPL runtime. Default: the runtime shipped with `@rlms/core`
   * (`readRuntimeSource()`). Override only to test a modified runtime.
   */
  readonly runtimeSource?: string;
}

/** Settings with every default applied. */
export interface ResolvedPyodideSandboxSettings {
  readonly memoryLimitMiB: number;
  readonly jsHeapLimitMiB: number;
  readonly warmPoolSize: number;
  readonly memorySnapshot: boolean;
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
  return {
    memoryLimitMiB,
    jsHeapLimitMiB,
    warmPoolSize: integer('warmPoolSize', settings.warmPoolSize, 1, 0, 16),
    memorySnapshot: flag('memorySnapshot', settings.memorySnapshot, true),
    interruptGraceMs: integer('interruptGraceMs', settings.interruptGraceMs, 2000, 0, 600_000),
    transferContextBytes: flag('transferContextBytes', settings.transferContextBytes, false),
    runtimeSource: runtimeSource === undefined ? readRuntimeSource : () => runtimeSource,
  };
}
