export type {
  ChatRole,
  ChatMessage,
  ModelCallOptions,
  FinishReason,
  ModelResponse,
  ModelStreamPart,
  ModelProviderV1,
} from './model-provider-v1.js';
export type { TokenUsage, ModelPricing, PricingTable } from './usage.js';
export type {
  LlmQueryCall,
  LlmQueryBatchedCall,
  RlmQueryCall,
  RlmQueryBatchedCall,
  ToolCall,
  HostCall,
  HostBridge,
  HostCallOptions,
  HostToolInfo,
} from './host-bridge.js';
export type {
  IsolationLevel,
  SandboxCapabilities,
  CreateSessionOptions,
  ContextPayload,
  ContextInfo,
  LoadContextOptions,
  ExecuteOptions,
  ExecutionError,
  FinalValue,
  ExecutionResult,
  SandboxSessionV1,
  SandboxSnapshotSource,
  SandboxProviderV1,
} from './sandbox-provider-v1.js';
