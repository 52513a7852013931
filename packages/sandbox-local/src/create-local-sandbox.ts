import { LocalSandboxProvider, type LocalSandboxSettings } from './local-sandbox-provider.js';

/**
 * **WARNING: the local sandbox is NOT a security sandbox.** Model-written code runs as a plain
 * `python3` subprocess of your process, as your user. It does not isolate:
 * - the filesystem (it can read and write every file your user can, including `~/.ssh`, source
 *   trees and credentials files; only `HOME` and the working directory point at a private temp dir);
 * - the network (it can reach the internet, your LAN and cloud metadata endpoints);
 * - processes (it can start programs, signal your other processes, and use all CPU and memory);
 * - other sessions' files (same user).
 * Only the environment is reduced (no variables from `process.env` except `PATH`, so no API keys).
 * Use it for trusted inputs and development; use `@rlms/sandbox-docker` or a cloud sandbox for
 * untrusted inputs, or `@rlms/sandbox-pyodide` (WebAssembly) when native packages are not needed.
 *
 * Creates the local sandbox provider: one host Python subprocess per session, the fastest option,
 * with native packages (numpy, pandas) when they are installed for that interpreter. Does no I/O.
 *
 * Each session: `python3 -u -I rlms_runtime.py` (isolated mode: ignores `PYTHON*` variables and the
 * user site directory) in its own process group, with a minimal environment (`PATH`, `HOME` and
 * `TMPDIR` = a fresh private temp dir, `LANG=C.UTF-8`, `PYTHONUNBUFFERED`, `PYTHONIOENCODING`, plus
 * `settings.env`). `destroy()` kills the whole process group (also what model code spawned) and
 * removes the temp dir.
 *
 * Capabilities: isolation `'none'`, network, native packages, subprocesses, interrupts, threads.
 *
 * @param settings `pythonPath` (default `RLMS_PYTHON` or `'python3'`), `env` (default none),
 *   `cwd` (default the session temp dir), `startupTimeoutMs` (default 20 000),
 *   `interruptGraceMs` (default 2 000).
 * @throws ConfigurationError invalid settings.
 *
 * @example
 * ```ts
 * import { createLocalSandbox } from '@rlms/sandbox-local';
 * const sandbox = createLocalSandbox({ pythonPath: '/usr/bin/python3' });
 * ```
 */
export function createLocalSandbox(settings: LocalSandboxSettings = {}): LocalSandboxProvider {
  return new LocalSandboxProvider(settings);
}
