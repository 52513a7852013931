export { RLMError } from './rlm-error.js';
export {
  ConfigurationError,
  ContextError,
  ModelProviderError,
  SandboxError,
  SandboxSessionDeadError,
  ProtocolError,
  RLMAbortError,
  isAbortError,
  AnswerValidationError,
} from './errors.js';
export { redactSecrets, REDACTED } from './redact-secrets.js';
