export { createLocalSandbox } from './create-local-sandbox.js';
export { LocalSandboxProvider } from './local-sandbox-provider.js';
export type { LocalSandboxSettings } from './local-sandbox-provider.js';
export { PythonNotFoundError } from './python-not-found-error.js';
