export { testSandboxProvider, SANDBOX_CONFORMANCE_CASES } from './test-sandbox-provider.js';
export type { SandboxProviderTestOptions } from './sandbox-suite-harness.js';
export { createGate, expectAbortFreesLateSandbox, expectCrashContained, expectTransportInterrupt } from './remote-sandbox-cases.js';
export type { AbortFreesLateSandboxOptions, CrashContainedOptions, Gate } from './remote-sandbox-cases.js';
