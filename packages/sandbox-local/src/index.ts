export { createLocalSandbox, LocalSandboxProvider } from './local-sandbox-provider.js';
export type { LocalSandboxSettings } from './local-sandbox-settings.js';
export { PythonNotFoundError } from './python-not-found-error.js';
