import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** V8 heap of the sandbox process's relay thread (it only moves frames), in MiB. */
const RELAY_HEAP_MIB = 96;

/** Type-stripping runs the sandbox from source in tests; the published build runs dist/*.js. */
const ENTRY_URL = new URL(
  import.meta.url.endsWith('.ts') ? './worker/sandbox-process.ts' : './worker/sandbox-process.js',
  import.meta.url,
);

/** Where the sandbox process finds Pyodide: resolved here, so the process resolves no packages. */
export interface PyodideLocation {
  /** File URL of `pyodide/pyodide.mjs`. */
  readonly pyodideUrl: string;
  /** File URL of `pyodide/pyodide.asm.mjs`. */
  readonly pyodideAsmUrl: string;
  /** Directories the process may read (Pyodide's files, its `ws` dependency, this package). */
  readonly readableDirs: readonly string[];
}

let location: PyodideLocation | undefined;

/** Resolves (once) the Pyodide files and the directories the sandbox process needs to read. */
export function pyodideLocation(): PyodideLocation {
  if (location) return location;
  const require = createRequire(import.meta.url);
  const pyodideDir = realpathSync(dirname(require.resolve('pyodide/package.json')));
  const readableDirs = new Set<string>([pyodideDir, realpathSync(fileURLToPath(new URL('..', import.meta.url)))]);
  try {
    // Pyodide imports `ws` on Node (unused here: the sandbox has no sockets); it must resolve.
    const fromPyodide = createRequire(join(pyodideDir, 'package.json'));
    readableDirs.add(dirname(pyodideDir)); // the node_modules folder `ws` is resolved through
    readableDirs.add(realpathSync(dirname(fromPyodide.resolve('ws/package.json'))));
  } catch {
    // Without `ws` Pyodide's Node setup fails and the boot error says so.
  }
  location = {
    pyodideUrl: pathToFileURL(join(pyodideDir, 'pyodide.mjs')).href,
    pyodideAsmUrl: pathToFileURL(join(pyodideDir, 'pyodide.asm.mjs')).href,
    readableDirs: [...readableDirs],
  };
  return location;
}

export interface SpawnOptions {
  /** Upper bound of the process's private writable memory (`RLIMIT_DATA`), in MiB. */
  readonly dataLimitMiB: number;
}

/** Node's permission model, when this Node has it (stable since 22.13 / 23.5). */
function permissionFlags(readableDirs: readonly string[]): string[] {
  const flags = process.allowedNodeEnvironmentFlags;
  const name = flags.has('--permission') ? '--permission' : flags.has('--experimental-permission') ? '--experimental-permission' : undefined;
  if (!name) return [];
  return [name, '--allow-worker', ...readableDirs.map((dir) => `--allow-fs-read=${dir}`)];
}

/**
 * Starts one sandbox process: `node` running `worker/sandbox-process`, with
 * - an empty environment and no stdin/stdout; stderr and fd 3 (the frame channel) piped;
 * - `RLIMIT_DATA` set through `/bin/sh`'s `ulimit -d` on Linux, so allocations past the cap fail
 *   inside the process (WebAssembly memory, ArrayBuffers, V8 heaps and malloc all count);
 * - code generation from strings (`eval`, `new Function`) disabled for the whole process;
 * - Node's permission model: no file writes, no child processes, file reads only of the
 *   directories the sandbox loads code from, no native addons.
 */
export function spawnSandboxProcess(options: SpawnOptions): ChildProcess {
  const entry = fileURLToPath(ENTRY_URL);
  const nodeArgs = [
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${RELAY_HEAP_MIB}`,
    '--no-warnings',
    ...permissionFlags(pyodideLocation().readableDirs),
    entry,
  ];
  const useShell = process.platform === 'linux' && existsSync('/bin/sh');
  const dataLimitKiB = Math.ceil(options.dataLimitMiB * 1024);
  const command = useShell ? '/bin/sh' : process.execPath;
  const args = useShell
    ? ['-c', `ulimit -d ${dataLimitKiB} 2>/dev/null; exec "$0" "$@"`, process.execPath, ...nodeArgs]
    : nodeArgs;
  return spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: {},
    cwd: dirname(entry),
    windowsHide: true,
  });
}
