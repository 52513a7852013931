import { ContextError } from '@rlms/core';
import type { DocumentInterface } from '@langchain/core/documents';

/** Computes the key of a document in the REPL's `context` dict. */
export type DocumentKeyFunction = (document: DocumentInterface, index: number) => string;

/** One named document as the REPL sees it, with the LangChain document it came from. */
export interface NamedDocument {
  /** Key in the `context` dict. */
  readonly key: string;
  /** The value loaded in the REPL: the metadata header (when any) followed by the page content. */
  readonly value: string;
  /** The page content alone (what source tracking looks for). */
  readonly content: string;
  /** The original document, returned as a source when the RLM reads or cites it. */
  readonly document: DocumentInterface;
  /** `metadata.source` (or `metadata.url`, `metadata.title`) when it is a non-empty string. */
  readonly source: string | undefined;
}

/** Options of {@link toNamedDocuments}. */
export interface NamedDocumentsOptions {
  /** Key of each document. Default {@link defaultDocumentKey}. */
  readonly documentKey?: DocumentKeyFunction;
  /** Prefix each value with a front-matter header listing the metadata. Default `true`. */
  readonly includeMetadata?: boolean;
}

/** Where a document comes from, for its key and for matching citations. */
function documentSource(document: DocumentInterface): string | undefined {
  const metadata = (document.metadata ?? {}) as Record<string, unknown>;
  for (const field of ['source', 'url', 'title', 'file_path', 'filename']) {
    const value = metadata[field];
    if (typeof value === 'string' && value.trim().length > 0) return value.trim();
  }
  return undefined;
}

/**
 * The default key: `metadata.source` (or `url`, `title`, `file_path`, `filename`) followed by `#`
 * and the document's position in the list, e.g. `handbook.md#3`; `document-3` when the document
 * has no source. The position keeps chunks of one source apart and keys unique.
 */
export function defaultDocumentKey(document: DocumentInterface, index: number): string {
  const source = documentSource(document);
  return source === undefined ? `document-${index}` : `${source}#${index}`;
}

function metadataValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.includes('\n') ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * The front-matter header of a document: its metadata as `name: value` lines between `---` lines
 * (strings as they are, other values as JSON). Empty when the document has no metadata.
 */
export function metadataHeader(document: DocumentInterface): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries((document.metadata ?? {}) as Record<string, unknown>)) {
    const text = metadataValue(value);
    if (text !== undefined) lines.push(`${name}: ${text}`);
  }
  return lines.length === 0 ? '' : `---\n${lines.join('\n')}\n---\n`;
}

/** True for an object shaped like a LangChain `Document` (`pageContent` string, optional `metadata`). */
function isDocument(value: unknown): value is DocumentInterface {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DocumentInterface).pageContent === 'string' &&
    ((value as DocumentInterface).metadata === undefined || typeof (value as DocumentInterface).metadata === 'object')
  );
}

/** True for a non-empty array of LangChain `Document`s. */
export function isDocumentArray(value: unknown): value is DocumentInterface[] {
  return Array.isArray(value) && value.length > 0 && value.every(isDocument);
}

/**
 * Turns LangChain documents into named documents: the REPL's `context` becomes a dict mapping
 * each key to the document's text, prefixed by a front-matter header with its metadata, e.g.
 *
 * ```text
 * ---
 * source: handbook.md
 * page: 3
 * ---
 * Refunds are issued within 14 days…
 * ```
 *
 * Throws `ContextError` when an item is not a document or two documents get the same key.
 */
export function toNamedDocuments(documents: readonly unknown[], options: NamedDocumentsOptions = {}): NamedDocument[] {
  const keyOf = options.documentKey ?? defaultDocumentKey;
  const includeMetadata = options.includeMetadata ?? true;
  const seen = new Set<string>();
  return documents.map((document, index) => {
    if (!isDocument(document)) {
      throw new ContextError(
        `documents[${index}] is not a LangChain Document: each item needs a string \`pageContent\` (and optional \`metadata\`), e.g. new Document({ pageContent: "…", metadata: { source: "a.md" } }).`,
        { code: 'invalid-document' },
      );
    }
    const key = keyOf(document, index);
    if (typeof key !== 'string' || key.length === 0) {
      throw new ContextError(`documentKey returned ${JSON.stringify(key)} for documents[${index}]: it must return a non-empty string.`, {
        code: 'invalid-document-key',
      });
    }
    if (seen.has(key)) {
      throw new ContextError(`Two documents have the key "${key}": make documentKey return unique keys (include the index).`, {
        code: 'duplicate-document-key',
      });
    }
    seen.add(key);
    const header = includeMetadata ? metadataHeader(document) : '';
    return { key, value: header + document.pageContent, content: document.pageContent, document, source: documentSource(document) };
  });
}
