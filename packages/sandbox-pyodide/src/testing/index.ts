/**
 * Test-only helpers of `@rlms/sandbox-pyodide`. Never use them in an application: they exist to
 * prove the sandbox's guarantees hold even when model code gets past Python into JavaScript.
 */
import type { SandboxSessionV1 } from '@rlms/core/spec';
import { PyodideSandboxProvider } from '../pyodide-sandbox-provider.js';
import type { PyodideSandboxSettings } from '../pyodide-sandbox-settings.js';
import type { PyodideWorkerHandle } from '../pyodide-worker-handle.js';

/** Path Python writes the hook's argument to and reads its answer from. */
export const TEST_HOOK_DEVICE_PATH = '/dev/rlms_test_js';

/**
 * Python that calls the test hook: `run_js(argument: str) -> str`. Paste it into model code.
 * The hook runs synchronously in the sandbox's (hardened) JavaScript realm; its answer (or
 * `"error: <name>: <message>"` when it threw) comes back as a string.
 */
export const RUN_JS_PYTHON = [
  'def run_js(argument):',
  '    import os',
  `    fd = os.open(${JSON.stringify(TEST_HOOK_DEVICE_PATH)}, os.O_RDWR)`,
  '    try:',
  '        os.write(fd, argument.encode())',
  '        out = b""',
  '        while True:',
  '            chunk = os.read(fd, 65536)',
  '            if not chunk:',
  '                return out.decode()',
  '            out += chunk',
  '    finally:',
  '        os.close(fd)',
].join('\n');

/**
 * A Pyodide sandbox whose sessions expose a test hook to Python: `hookSource` is the source of an
 * ES module whose default export `(argument: string) => unknown` runs inside the sandbox's
 * JavaScript realm (the Pyodide worker thread of the sandbox process), after the realm was
 * hardened and the Python → JavaScript bridge locked, i.e. with the reach an attacker who escaped
 * from Python would have (and more: the module is loaded before hardening, so it may import Node
 * built-ins such as `node:worker_threads`). Python calls it with `run_js` (see `RUN_JS_PYTHON`).
 */
export function createPyodideSandboxWithTestHook(
  settings: PyodideSandboxSettings & { readonly hookSource: string },
): PyodideSandboxProvider {
  const { hookSource, ...rest } = settings;
  return new PyodideSandboxProvider(rest, { testHookSource: hookSource });
}

/** What a test may learn about the process behind a Pyodide session. */
export interface SandboxProcessInfo {
  /** OS pid of the sandbox process (undefined once it could not start). */
  readonly pid: number | undefined;
  /** Highest resident memory the host's watchdog saw, in bytes. */
  readonly peakResidentBytes: number;
  /** True once the process is gone. */
  readonly dead: boolean;
}

/** The sandbox process behind a session created by a Pyodide provider. */
export function sandboxProcessOf(session: SandboxSessionV1): SandboxProcessInfo {
  const handle = (session as unknown as { handle?: PyodideWorkerHandle }).handle;
  if (!handle) throw new TypeError(`session ${session.id} is not a Pyodide session`);
  return {
    pid: handle.pid,
    get peakResidentBytes() {
      return handle.peakResidentBytes;
    },
    get dead() {
      return handle.isDead;
    },
  };
}
