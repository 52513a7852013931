export { startOpenAICompatibleServer } from './openai-compatible-server.js';
export type {
  OpenAICompatibleApi,
  OpenAICompatibleServer,
  OpenAICompatibleServerOptions,
  RecordedServerRequest,
  ServerChatMessage,
  ServerFault,
  ServerFaultRule,
  ServerReply,
  ServerReplyFunction,
  ServerReplyObject,
  ServerReplyRequest,
  ServerReplyUsage,
} from './openai-compatible-server-types.js';
export { estimateTokens } from './openai-wire-format.js';
export { testModelProvider } from './test-model-provider.js';
export type {
  ModelProviderScript,
  ModelProviderSupports,
  TestModelProviderOptions,
} from './test-model-provider.js';
