/**
 * `@rlms/openai/testing`: a local OpenAI-compatible HTTP server with scripted replies and
 * injectable faults, for tests, benchmarks and examples. Zero dependencies beyond `node:http`;
 * usable with any test runner.
 */
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
