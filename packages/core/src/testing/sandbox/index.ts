export { createFakeHost } from './create-fake-host.js';
export type { FakeHost, FakeHostOptions } from './create-fake-host.js';
export { LocalSandboxRoot, killProcessGroup } from './local-sandbox-root.js';
export type { LocalSandboxRootOptions } from './local-sandbox-root.js';
