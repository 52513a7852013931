export { createPyodideSandbox, PyodideSandboxProvider } from './pyodide-sandbox-provider.js';
export { PyodideSandboxSession } from './pyodide-sandbox-session.js';
export type { PyodideSandboxSettings } from './pyodide-sandbox-settings.js';
export type { PyodideSnapshotSource } from './snapshot-cache.js';
