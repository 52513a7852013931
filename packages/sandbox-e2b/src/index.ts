export { createE2BSandbox, E2BSandboxProvider } from './e2b-sandbox-provider.js';
export type { E2BSandboxSettings } from './e2b-sandbox-settings.js';
export { DEFAULT_E2B_TEMPLATE, DEFAULT_E2B_TIMEOUT_MS } from './e2b-sandbox-settings.js';
export type {
  E2BSandboxInstance,
  E2BSandboxFactory,
  E2BCommands,
  E2BCommandHandle,
  E2BFilesystem,
} from './e2b-client.js';
