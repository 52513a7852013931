export { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL, PLACEHOLDER_API_KEY } from './create-openai-provider.js';
export { OpenAIProvider } from './openai-provider.js';
export type {
  OpenAIApi,
  OpenAIProviderSettings,
  OpenAIReasoningEffort,
  OpenAISystemMessageRole,
} from './openai-provider-settings.js';
export { computeCostUsd } from '@rlms/core/sandbox';
export { OPENAI_PRICES, openAIPricing } from './openai-prices.js';
export { OPENAI_CONTEXT_WINDOWS, openAIContextWindow } from './openai-context-windows.js';
export { isReasoningModel } from './openai-model-quirks.js';
