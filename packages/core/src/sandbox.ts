/**
 * `@rlms/core/sandbox` - the kit for sandbox and model backend authors.
 *
 * Frames and their codec, `createFrameSession`, `createStreamTransport`, `TransportRelay`,
 * `SessionTracker`, `ExecutionClock`, the wire conversions, the shared argument checks
 * (`isPythonIdentifier`, `assertPythonIdentifier`, `checkCreateSessionOptions`,
 * `checkLoadContextArguments`, `checkExecuteArguments`), the runtime source helpers,
 * `redactSecrets` and `generateWithRetries`. Pair it with `@rlms/core/spec` for the contract types
 * and error classes; the engine itself stays in the root entry.
 */
export * from './protocol/index.js';
export { redactSecrets, REDACTED } from './errors/redact-secrets.js';
export { generateWithRetries, type ModelRetryPolicy } from './engine/model/model-retry.js';
export { RUNTIME_PATH, RUNTIME_FILE_NAME, PROTOCOL_VERSION, readRuntimeSource } from './runtime/runtime-source.js';
export { computeCostUsd } from './engine/accounting/usage.js';
export { truncateMiddle } from './engine/prompt/truncate.js';
export { abortErrorFor, raceAbort, throwIfAborted } from './adapters/race-abort.js';
export { settingsChecks, type SettingsChecks } from './sandbox-kit/settings-checks.js';
export { startupErrorFor, startupStep, type StartupErrorOptions, type StartupStepOptions } from './sandbox-kit/startup-error.js';
export {
  RemoteRuntimeTransport,
  RUNTIME_PID_FILE,
  RUNTIME_INTERRUPT_SCRIPT,
  runtimeLaunchScript,
  type RemoteRuntimeTransportOptions,
} from './sandbox-kit/remote-runtime-transport.js';
