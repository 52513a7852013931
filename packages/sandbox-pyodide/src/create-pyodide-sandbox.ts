import { PyodideSandboxProvider } from './pyodide-sandbox-provider.js';
import type { PyodideSandboxSettings } from './pyodide-sandbox-settings.js';

/**
 * Creates the embedded Pyodide sandbox (CPython in WebAssembly, one capped sandbox process per
 * session). Does no I/O: Pyodide boots at the first `createSession()`. Call `provider.close()` when
 * done to end the warm pool.
 *
 * @example
 * const sandbox = createPyodideSandbox({ memoryLimitMiB: 1024 });
 * const session = await sandbox.createSession({ host });
 * await session.loadContext({ format: 'text', bytes: new TextEncoder().encode(longText) });
 * const result = await session.execute('print(len(context))', { timeoutMs: 30_000 });
 *
 * @throws ConfigurationError when a setting is invalid (the message names it and its range).
 */
export function createPyodideSandbox(settings: PyodideSandboxSettings = {}): PyodideSandboxProvider {
  return new PyodideSandboxProvider(settings);
}
