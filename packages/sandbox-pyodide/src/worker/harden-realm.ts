/**
 * Strips the worker's JavaScript realm of everything that reaches the host, once Pyodide has
 * booted and before any model code runs.
 *
 * Python is kept away from JavaScript (see the Python-side lockdown in glue-source.ts), but that
 * lockdown is best effort: CPython offers many introspection paths (`gc`, `__subclasses__`,
 * frames), and any JavaScript object reached from Python leads to the `Function` constructor and
 * so to arbitrary JavaScript in this worker. This module makes that worker a dead end:
 *
 * - `process` is replaced by a small stand-in (no env, no `binding`, `dlopen`, `kill`,
 *   `getBuiltinModule`, `execve`, `report`…);
 * - network globals (`fetch`, `WebSocket`, `EventSource`, `BroadcastChannel`…) are removed;
 * - every function of the host-facing built-in modules (`fs`, `child_process`, `net`, `http`,
 *   `worker_threads.Worker`, `inspector`, `v8`, `vm`, `module`…) is replaced by one that throws,
 *   which also disarms the copies Pyodide and Emscripten captured in closures (they call through
 *   the shared module objects);
 * - module loading (`import()`, `require`) is refused through a synchronous resolve hook;
 * - Pyodide's host-facing API (`mountNodeFS`, `loadPackage`, NODEFS, `loadBinaryFile`…) is removed.
 *
 * Runs in the worker thread; imports only Node built-ins.
 */
import { createRequire } from 'node:module';
import type { PyodideAPI } from 'pyodide';

const DENIED_MODULES: Record<string, readonly string[] | 'all'> = {
  fs: 'all',
  'fs/promises': 'all',
  child_process: 'all',
  net: 'all',
  tls: 'all',
  dgram: 'all',
  dns: 'all',
  'dns/promises': 'all',
  http: 'all',
  https: 'all',
  http2: 'all',
  inspector: 'all',
  v8: 'all',
  vm: 'all',
  module: 'all',
  cluster: 'all',
  repl: 'all',
  // Only what starts threads or shares the environment; the worker keeps its own ports.
  worker_threads: ['Worker', 'setEnvironmentData', 'getEnvironmentData', 'markAsUntransferable'],
  os: ['userInfo', 'homedir', 'hostname', 'networkInterfaces', 'tmpdir', 'cpus', 'setPriority', 'getPriority'],
};

const DENIED_GLOBALS = [
  'fetch',
  'WebSocket',
  'EventSource',
  'XMLHttpRequest',
  'BroadcastChannel',
  'require',
  'module',
  'exports',
  '__filename',
  '__dirname',
];

/** Pyodide's public API members that touch the host filesystem, network or package index. */
const DENIED_PYODIDE_API = [
  'mountNodeFS',
  'mountNativeFS',
  'useNodeSockFS',
  'loadPackage',
  'loadPackagesFromImports',
  'registerJsModule',
  'unregisterJsModule',
  'registerComlink',
  'makeMemorySnapshot',
];

const DENIED_INTERNAL_API = ['loadBinaryFile', 'loadDynlib', 'install', 'initializeNodeSockFS'];

function denied(name: string): () => never {
  return function deniedInRlmsSandbox(): never {
    throw new Error(`${name} is not available inside the rlms Pyodide sandbox`);
  };
}

/** Replaces a property with a throwing function (or deletes it); ignores properties that resist. */
function replace(target: object, key: string, value: unknown): void {
  try {
    Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
  } catch {
    try {
      delete (target as Record<string, unknown>)[key];
    } catch {
      // A frozen property we cannot touch; the other layers still apply.
    }
  }
}

interface ModuleApi {
  syncBuiltinESMExports?: () => void;
  registerHooks?: (hooks: { resolve: (specifier: string) => never }) => unknown;
}

function denyBuiltins(require: NodeJS.Require): void {
  for (const [name, members] of Object.entries(DENIED_MODULES)) {
    let exported: Record<string, unknown>;
    try {
      exported = require(`node:${name}`) as Record<string, unknown>;
    } catch {
      continue; // not present in this Node version
    }
    const keys = members === 'all' ? Object.getOwnPropertyNames(exported) : members;
    for (const key of keys) {
      // Descriptors, not reads: some accessors (fs.F_OK…) emit deprecation warnings when read.
      const descriptor = Object.getOwnPropertyDescriptor(exported, key);
      if (descriptor === undefined) continue;
      if (typeof descriptor.value === 'function' || members !== 'all') {
        replace(exported, key, denied(`node:${name}.${key}`));
      }
    }
    if (name === 'fs') replace(exported, 'promises', undefined);
  }
}

/** A stand-in for `process` with only what Emscripten and Pyodide read after boot. */
function minimalProcess(real: NodeJS.Process): object {
  const versions = Object.freeze({ ...real.versions });
  return {
    versions,
    version: real.version,
    platform: real.platform,
    arch: real.arch,
    argv: Object.freeze(['python']),
    env: Object.freeze({}),
    exitCode: undefined as number | undefined,
    browser: undefined,
    type: undefined,
    getuid: () => 1000,
    umask: () => 0o022,
    cwd: () => '/',
  };
}

function hardenGlobals(): void {
  const realProcess = globalThis.process;
  for (const key of DENIED_GLOBALS) {
    if (key in globalThis) replace(globalThis, key, undefined);
  }
  replace(globalThis, 'process', Object.seal(minimalProcess(realProcess)));
}

function hardenPyodide(pyodide: PyodideAPI): void {
  const api = pyodide as unknown as Record<string, unknown> & {
    _module?: Record<string, unknown> & { FS?: { filesystems?: Record<string, unknown> } };
    _api?: Record<string, unknown>;
  };
  for (const key of DENIED_PYODIDE_API) replace(api, key, denied(`pyodide.${key}`));
  const module = api._module;
  if (module) {
    for (const fsName of ['NODEFS', 'NODERAWFS', 'PROXYFS', 'WORKERFS', 'IDBFS']) {
      if (module.FS?.filesystems && fsName in module.FS.filesystems) replace(module.FS.filesystems, fsName, undefined);
      if (fsName in module) replace(module, fsName, undefined);
    }
    replace(module, '__emscripten_system', denied('system'));
  }
  const internal = api._api;
  if (internal) {
    for (const key of DENIED_INTERNAL_API) replace(internal, key, denied(`pyodide internal ${key}`));
  }
}

/**
 * Applies every JavaScript-side restriction. Call once, after boot and after the worker has
 * captured the ports and functions it keeps using; irreversible for the worker's lifetime.
 */
export function hardenRealm(pyodide: PyodideAPI): void {
  const require = createRequire(import.meta.url);
  // Captured first: `module` itself is among the denied built-ins.
  const { syncBuiltinESMExports, registerHooks } = require('node:module') as ModuleApi;
  hardenPyodide(pyodide);
  denyBuiltins(require);
  // Named ESM imports of built-ins (`import { readFileSync } from 'node:fs'`) follow the change.
  syncBuiltinESMExports?.();
  // From here on `import()` and `require()` fail (Node >= 22.15 / 23.5; older versions rely on
  // the denied built-ins above).
  registerHooks?.({
    resolve(specifier: string): never {
      throw new Error(`loading modules (${specifier}) is not allowed inside the rlms Pyodide sandbox`);
    },
  });
  hardenGlobals();
}
