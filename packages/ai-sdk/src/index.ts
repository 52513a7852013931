export { fromAISDK, AISDKModelProvider, type AISDKLanguageModel, type AISDKModelProviderSettings } from './ai-sdk-model-provider.js';
export {
  rlmTool,
  type RLMToolSettings,
  type RLMToolInput,
  type RLMToolOutput,
  type RLMToolAnswer,
  type RLMToolUsage,
  type RLMToolContextRequest,
} from './rlm-tool.js';
export {
  createRLMModel,
  RLMLanguageModel,
  type RLMLanguageModelSettings,
  type RLMProviderMetadata,
} from './rlm-language-model.js';
export { splitPrompt, type PromptSplit, type SplitPromptOptions } from './split-prompt.js';
export { describeRLMEvent, RLMProgressTracker, type RLMProgress } from './rlm-progress.js';
export { fromLanguageModelUsage, toLanguageModelUsage } from './map-usage.js';
export { toRLMError, type FailedModel } from './map-model-error.js';
export type { RLMSource } from '@rlms/core';
