export { testSandboxProvider, SANDBOX_CONFORMANCE_CASES } from './test-sandbox-provider.js';
export type { SandboxProviderTestOptions } from './sandbox-suite-harness.js';
export { createFakeHost } from './create-fake-host.js';
export type { FakeHost, FakeHostOptions } from './create-fake-host.js';
