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
} from './errors.js';
