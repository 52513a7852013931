export { createRLMServer, type RLMServer, type ListeningRLMServer, type CloseOptions } from './create-rlm-server.js';
export { type RLMServerSettings, type ServerLogEntry, type ServableRLM } from './rlm-server-settings.js';
export { messagesToQuery, type MessagesQuery } from './messages-to-query.js';
export {
  parseChatRequest,
  type ChatCompletionRequest,
  type ChatTextMessage,
  type ChatRequestRole,
  type ChatResponseFormat,
} from './parse-chat-request.js';
export { type OpenAIErrorBody, type OpenAIErrorType } from './openai-error.js';
export { type CompletionUsage, type RLMRunSummary } from './chat-completion-objects.js';
