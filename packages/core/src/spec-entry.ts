/**
 * `@rlms/core/spec` - the provider contract.
 *
 * The spec TYPES a model or sandbox provider implements (`ModelProviderV1`, `SandboxProviderV1`,
 * `SandboxSessionV1`, `HostBridge`, ...) plus the typed error classes. The error classes are part
 * of the contract: providers throw them (`SandboxError`, `ModelProviderError`, `ProtocolError`, ...)
 * and the engine maps them to run statuses, so they live in this entry next to the types.
 */
export * from './spec/index.js';
export * from './errors/index.js';
