export { abortErrorFor, raceAbort, throwIfAborted } from './race-abort.js';
export type { RaceAbortOptions } from './race-abort.js';
export { isRLM, resolveRLM } from './resolve-rlm.js';
export type { RLMMethod, RLMSource, ResolveRLMOptions } from './resolve-rlm.js';
export { DEFAULT_SOURCE_EVIDENCE, DocumentExcerptIndex, findUsedDocuments, namesKey } from './find-used-documents.js';
export type { SourceDocument, SourceEvidence } from './find-used-documents.js';
