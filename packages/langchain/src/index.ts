export { RLMChain } from './rlm-chain.js';
export type { RLMChainFields, RLMChainCallOptions, RLMChainOutput } from './rlm-chain-types.js';
export type { RLMChainInput, RLMChainInputLike, ChatHistory } from './chain-input.js';
export { RLMChainError } from './rlm-chain-error.js';
export { RLM_EVENT_PREFIX, type RunEndSummary } from './chain-events.js';
export {
  defaultDocumentKey,
  metadataHeader,
  toNamedDocuments,
  type DocumentKeyFunction,
  type NamedDocument,
  type NamedDocumentsOptions,
} from './document-context.js';
export { findSourceDocuments } from './find-source-documents.js';
export type { SourceEvidence } from '@rlms/core';
export {
  fromLangChain,
  LangChainModelProvider,
  type LangChainChatModelLike,
  type LangChainModelSettings,
} from './from-langchain.js';
export { usageFromMessage, finishReasonFromMessage } from './message-metadata.js';
