export { testModelProvider } from './test-model-provider.js';
export type { ModelProviderScript, ModelProviderSupports, TestModelProviderOptions } from './test-model-provider.js';
