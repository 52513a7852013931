export {
  FakeE2BSandbox,
  FakeE2BCommands,
  FakeE2BCommandHandle,
  FakeE2BFilesystem,
  createFakeE2BSandboxFactory,
} from './fake-e2b-sandbox.js';
export type { FakeE2BSandboxFactory } from './fake-e2b-sandbox.js';
export { createFakeE2BSandboxProvider } from './create-fake-e2b-sandbox-provider.js';
export type { FakeE2BSandboxProvider } from './create-fake-e2b-sandbox-provider.js';
