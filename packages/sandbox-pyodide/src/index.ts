export { createPyodideSandbox } from './create-pyodide-sandbox.js';
export { PyodideSandboxProvider } from './pyodide-sandbox-provider.js';
export { PyodideSandboxSession } from './pyodide-sandbox-session.js';
export type { PyodideSandboxSettings } from './pyodide-sandbox-settings.js';
