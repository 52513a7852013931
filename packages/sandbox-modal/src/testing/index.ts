export { FakeModalClient, FakeModalSandbox, FakeModalProcess, FakeModalFilesystem } from './fake-modal-client.js';
export { createFakeModalSandboxProvider } from './create-fake-modal-sandbox-provider.js';
export type { FakeModalSandboxProvider } from './create-fake-modal-sandbox-provider.js';
