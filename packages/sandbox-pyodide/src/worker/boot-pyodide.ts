/**
 * Loads Pyodide inside the worker with the WebAssembly-level restrictions applied at
 * instantiation: a hard cap on the heap, and the imports that would reach the host (`system()`,
 * sockets, `emscripten_run_script*`) replaced by stubs that fail.
 *
 * Runs in the worker thread. Imports only Node built-ins and `pyodide` (see pyodide-worker.ts
 * for why relative imports use `.ts`).
 */
import { constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { PyodideAPI, loadPyodide as LoadPyodide } from 'pyodide';
import { installJsBridgeGate, type JsBridgeGate } from './js-bridge-gate.ts';

/** The parts of the WebAssembly API used here (the ES2023 lib does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly;

/** Emscripten's `Module` settings object, as far as we touch it. */
interface EmscriptenSettings {
  instantiateWasm?: (
    imports: { env: Record<string, unknown> },
    onSuccess: (instance: WasmInstance, module: unknown) => void,
  ) => unknown;
}

type CreatePyodideModule = (settings: EmscriptenSettings) => Promise<unknown>;

/** Errno values of Emscripten's libc (they differ from Linux's). */
const ERRNO_EACCES = 2;
const ERRNO_ENOSYS = 52;
const WASM_PAGE_BYTES = 65_536;

export interface BootOptions {
  /** File URL of `pyodide/pyodide.mjs` (the host resolves it; this process resolves no packages). */
  readonly pyodideUrl: string;
  /** File URL of `pyodide/pyodide.asm.mjs`. */
  readonly pyodideAsmUrl: string;
  /** Upper bound of the WebAssembly heap, in bytes. */
  readonly memoryLimitBytes: number;
  /** Snapshot to restore (`_loadSnapshot`). */
  readonly snapshot?: Uint8Array;
  /** Boot with `_makeSnapshot` so `makeMemorySnapshot()` works afterwards. */
  readonly makeSnapshot: boolean;
}

export interface BootedPyodide {
  readonly pyodide: PyodideAPI;
  /** True once a heap growth was refused because of the memory cap (since the last reset). */
  readonly memoryCapHit: () => boolean;
  readonly resetMemoryCapHit: () => void;
  /** Turns Python's access to JavaScript objects off (call once the sandbox is locked down). */
  readonly jsBridge: JsBridgeGate;
}

/**
 * Wasm imports replaced before instantiation. Each returns a failure the C code already handles,
 * so Python sees an ordinary `OSError` (or `os.system` returning -1).
 */
function denyHostImports(env: Record<string, unknown>): void {
  const replacements: Record<string, (...args: unknown[]) => number | undefined> = {
    // `system()`: Emscripten's Node implementation would spawn a host shell.
    _emscripten_system: () => -ERRNO_ENOSYS,
    // Sockets: Emscripten's SOCKFS would open WebSocket connections from the worker.
    __syscall_socket: () => -ERRNO_EACCES,
    __syscall_socketpair: () => -ERRNO_EACCES,
    // `emscripten_run_script*`: eval of arbitrary JavaScript, reachable from C (ctypes).
    emscripten_run_script: () => undefined,
    emscripten_run_script_int: () => 0,
    emscripten_run_script_string: () => 0,
  };
  for (const [name, stub] of Object.entries(replacements)) {
    if (typeof env[name] === 'function') env[name] = stub;
  }
}

/**
 * Caps the module's memory: Emscripten grows the heap through `wasmMemory.grow(pages)` and
 * treats a throw as "out of memory" (malloc returns NULL, Python raises `MemoryError`).
 */
function capMemory(memory: WasmMemory, limitBytes: number, onRefused: () => void): void {
  const grow = Memory.prototype.grow;
  Object.defineProperty(memory, 'grow', {
    configurable: false,
    writable: false,
    value(this: WasmMemory, deltaPages: number): number {
      if (this.buffer.byteLength + deltaPages * WASM_PAGE_BYTES > limitBytes) {
        onRefused();
        throw new RangeError(`rlms: WebAssembly heap limited to ${limitBytes} bytes`);
      }
      return grow.call(this, deltaPages);
    },
  });
}

/**
 * Emscripten's NODEFS reads `process.binding('constants')` while the filesystem starts, and Node's
 * permission model (on in the sandbox process) refuses `process.binding`. Those constants are
 * public: serve them, and nothing else, from here. (NODEFS itself is removed by hardenRealm.)
 */
function serveConstantsBinding(): void {
  const host = process as unknown as { binding?: (name: string) => unknown };
  const original = host.binding;
  host.binding = (name: string): unknown =>
    name === 'constants' ? { fs: fsConstants, os: osConstants } : original?.call(process, name);
}

/** Loads Pyodide (from its npm package, offline) with the restrictions above. */
export async function bootPyodide(options: BootOptions): Promise<BootedPyodide> {
  serveConstantsBinding();
  const { loadPyodide } = (await import(options.pyodideUrl)) as { loadPyodide: typeof LoadPyodide };
  // The Emscripten factory ships in the package; importing it ourselves lets us wrap its settings.
  const { default: createModule } = (await import(options.pyodideAsmUrl)) as { default: CreatePyodideModule };
  let capHit = false;
  let memoryCapError: Error | undefined;
  let jsBridge: JsBridgeGate | undefined;

  const createPyodideModule: CreatePyodideModule = (settings) => {
    const instantiate = settings.instantiateWasm;
    if (typeof instantiate !== 'function') {
      throw new Error('rlms: this Pyodide build does not expose instantiateWasm; cannot apply the sandbox limits');
    }
    settings.instantiateWasm = (imports, onSuccess) => {
      denyHostImports(imports.env);
      jsBridge = installJsBridgeGate(imports.env);
      return instantiate(imports, (instance, module) => {
        const memory = instance.exports['memory'];
        if (!(memory instanceof (Memory as unknown as { new (): object }))) {
          memoryCapError = new Error('rlms: Pyodide does not export its memory; cannot apply memoryLimitMiB');
        } else {
          capMemory(memory as WasmMemory, options.memoryLimitBytes, () => {
            capHit = true;
          });
        }
        onSuccess(instance, module);
      });
    };
    return createModule(settings);
  };

  const pyodide = await loadPyodide({
    // `js` in Python is this empty object, never the worker's globalThis.
    jsglobals: Object.create(null) as object,
    env: { HOME: '/home/pyodide' },
    args: [],
    // `sys.executable` and the `_` variable would otherwise name the host's script path.
    _sysExecutable: '/usr/bin/python3',
    stdin: () => null,
    stdout: () => undefined,
    stderr: () => undefined,
    checkAPIVersion: true,
    _makeSnapshot: options.makeSnapshot,
    ...(options.snapshot ? { _loadSnapshot: options.snapshot } : {}),
    createPyodideModule: createPyodideModule as never,
  });
  if (memoryCapError) throw memoryCapError;
  if (!jsBridge) throw new Error('rlms: the WebAssembly imports were not seen; cannot gate the JavaScript bridge');
  return {
    pyodide,
    jsBridge,
    memoryCapHit: () => capHit,
    resetMemoryCapHit: () => {
      capHit = false;
    },
  };
}
