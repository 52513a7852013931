export { RLMQueryEngine } from './rlm-query-engine.js';
export type {
  RLMQueryEngineOptions,
  RLMQueryEngineSettings,
  RLMQueryCallOptions,
  RLMStreamingQueryParams,
  RLMNonStreamingQueryParams,
  RLMResponseMetadata,
  RLMProgressMetadata,
} from './rlm-query-engine-types.js';
export { RLMQueryEngineError } from './rlm-query-engine-error.js';
export { createRLMQueryTool, type RLMQueryToolInput, type RLMQueryToolOptions } from './rlm-query-tool.js';
export { toNamedDocuments, type NamedDocument, type NamedDocumentOptions, type RLMDocumentsInput } from './named-documents.js';
export type { RLMSource, SourceEvidence } from '@rlms/core';
export type { RLMQueryEngineRLMSettings, RLMQueryEngineRLMSource } from './resolve-engine-rlm.js';
export { describeRLMEvent } from './describe-rlm-event.js';
export { fromLlamaIndex, LlamaIndexModelProvider, toLlamaIndexMessages } from './llama-index-model-provider.js';
export type { LlamaIndexModelSettings, LlamaIndexChatCall } from './llama-index-model-settings.js';
export { usageFromRaw, finishReasonFromRaw } from './raw-response.js';
