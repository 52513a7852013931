import { ConfigurationError, ContextError, type ContextInput } from '@rlms/core';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { toNamedDocuments, type NamedDocument, type NamedDocumentsOptions } from './document-context.js';

/** What a run reads: the value loaded as `context`, and the named documents in it (for source tracking). */
export interface ChainContext {
  readonly context: ContextInput;
  readonly documents: readonly NamedDocument[];
}

/** The parts a chain and its input contribute. */
export interface ContextParts {
  /** Documents, the chain's bound ones first. */
  readonly documents: readonly DocumentInterface[];
  /** Non-document contexts, the chain's bound one first. */
  readonly contexts: readonly ContextInput[];
}

function isPayload(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { bytes?: unknown }).bytes instanceof Uint8Array;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isPayload(value);
}

/** Named documents for the string values of a record context (`{ 'a.md': '…' }`), so they can be cited too. */
function namedFromRecord(record: Readonly<Record<string, unknown>>): NamedDocument[] {
  const named: NamedDocument[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'string') continue;
    named.push({ key, value, content: value, source: key, document: new Document({ pageContent: value, metadata: { source: key } }) });
  }
  return named;
}

function freeKey(taken: Set<string>, base: string): string {
  let key = base;
  for (let index = 2; taken.has(key); index++) key = `${base}-${index}`;
  return key;
}

/**
 * Builds the run's context. Documents become a record of named documents (see `toNamedDocuments`);
 * a record context is merged into that record, any other context is added under the key `context`.
 * A single non-document context is passed through unchanged.
 *
 * Throws `ConfigurationError` when there is nothing to read or raw bytes would have to be merged,
 * and `ContextError` for invalid documents or clashing keys.
 */
export function buildChainContext(parts: ContextParts, options: NamedDocumentsOptions = {}): ChainContext {
  const named = toNamedDocuments(parts.documents, options);
  const contexts = parts.contexts;
  if (named.length === 0 && contexts.length === 0) {
    throw new ConfigurationError(
      'RLMChain has nothing to read: pass `documents` (LangChain Documents) or `context` in the input, or bind them with new RLMChain({ rlm, documents }).',
      { code: 'missing-context' },
    );
  }
  if (named.length === 0 && contexts.length === 1) {
    const only = contexts[0]!;
    return { context: only, documents: isRecord(only) ? namedFromRecord(only) : [] };
  }
  if (contexts.some(isPayload)) {
    throw new ConfigurationError(
      'A raw `{ format, bytes }` context cannot be combined with documents or another context: pass it alone, or pass the text instead.',
      { code: 'context-not-mergeable' },
    );
  }
  const record: Record<string, unknown> = {};
  const documents: NamedDocument[] = [...named];
  for (const document of named) record[document.key] = document.value;
  const taken = new Set(Object.keys(record));
  for (const context of contexts) {
    if (isRecord(context)) {
      for (const [key, value] of Object.entries(context)) {
        if (taken.has(key)) {
          throw new ContextError(`The context key "${key}" is also a document key: rename it, or pass a documentKey that avoids it.`, {
            code: 'duplicate-document-key',
          });
        }
        taken.add(key);
        record[key] = value;
      }
      documents.push(...namedFromRecord(context));
    } else {
      const key = freeKey(taken, 'context');
      taken.add(key);
      record[key] = context;
    }
  }
  return { context: record, documents };
}
