export { testSandboxProvider, SANDBOX_CONFORMANCE_CASES } from './test-sandbox-provider.js';
export type { SandboxProviderTestOptions } from './sandbox-suite-harness.js';
export { createFakeHost } from './create-fake-host.js';
export type { FakeHost, FakeHostOptions } from './create-fake-host.js';
export { LocalSandboxRoot, killProcessGroup } from './local-sandbox-root.js';
export type { LocalSandboxRootOptions } from './local-sandbox-root.js';
export { createGate, expectAbortFreesLateSandbox, expectCrashContained, expectTransportInterrupt } from './remote-sandbox-cases.js';
export type { AbortFreesLateSandboxOptions, CrashContainedOptions, Gate } from './remote-sandbox-cases.js';
