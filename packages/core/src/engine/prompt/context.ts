import { ContextError } from '../../errors/errors.js';
import type { ContextPayload } from '../../spec/sandbox-provider-v1.js';
import { encodeDocumentsPayload } from '../../protocol/documents-payload.js';
import { encodeUtf8 } from '../../protocol/utf8.js';

/**
 * The input of a run. One of:
 * - a string (a document, a log, a codebase concatenated…);
 * - an array (records, chunks, messages…);
 * - a record of named documents (`{ 'src/auth.ts': '…', 'README.md': '…' }`), values being strings, arrays or objects;
 * - raw bytes with their format, for inputs already serialised (`{ format: 'json', bytes }`).
 */
export type ContextInput = string | readonly unknown[] | Readonly<Record<string, unknown>> | ContextPayload;

/** Size of one named document or item, as shown to the model. */
export interface DocumentSize {
  readonly key: string;
  readonly chars: number;
}

/** What the model is told about the context before it sees any of it. */
export interface ContextMetadata {
  /** Python type of the `context` variable: `'str'`, `'list'` or `'dict'`. */
  readonly type: 'str' | 'list' | 'dict';
  /** Total characters of all text in the context (JSON length for structured values). */
  readonly totalChars: number;
  /** Number of items (list), documents (dict) or 1 (str). */
  readonly length: number;
  /** Sizes per document (dict) or per item (list), at most `MAX_LISTED_DOCUMENTS` entries. */
  readonly documents: readonly DocumentSize[];
  /** Total payload bytes sent to the sandbox. */
  readonly bytes: number;
}

/** A context prepared for a sandbox: its payload and metadata. */
export interface PreparedContext {
  readonly payload: ContextPayload;
  readonly metadata: ContextMetadata;
  /** The value as given (kept once for the trajectory). */
  readonly value: unknown;
}

/** How many per-document sizes the metadata lists before summarising the rest. */
export const MAX_LISTED_DOCUMENTS = 100;

const encoder = new TextEncoder();

/** True for a context already serialised as bytes (`{ format: 'text' | 'json' | 'documents', bytes }`). */
export function isContextPayload(value: unknown): value is ContextPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    ((value as ContextPayload).format === 'text' ||
      (value as ContextPayload).format === 'json' ||
      (value as ContextPayload).format === 'documents') &&
    (value as ContextPayload).bytes instanceof Uint8Array
  );
}

function charsOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value === undefined) return 0;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Serialises a context once into bytes for the sandbox and computes the metadata shown to the model.
 * Throws `ContextError` for `undefined`/`null`, values that cannot be serialised as JSON (cycles,
 * BigInt), and functions.
 */
export function prepareContext(input: ContextInput): PreparedContext {
  if (input === undefined || input === null) {
    throw new ContextError('No context given: pass `context` as a string, an array, or a record of named documents.', {
      code: 'context-missing',
    });
  }
  if (isContextPayload(input)) {
    const bytes = input.bytes.byteLength;
    const type = input.format === 'text' ? 'str' : 'dict';
    return {
      payload: input,
      value: undefined,
      metadata: { type, totalChars: bytes, length: input.format === 'text' ? bytes : 0, documents: [], bytes },
    };
  }
  if (typeof input === 'string') {
    const bytes = encodeUtf8(input);
    return {
      payload: { format: 'text', bytes },
      value: input,
      metadata: { type: 'str', totalChars: input.length, length: input.length, documents: [], bytes: bytes.byteLength },
    };
  }
  if (typeof input !== 'object') {
    throw new ContextError(`Unsupported context of type ${typeof input}: pass a string, an array, or a record of named documents.`, {
      code: 'context-type',
    });
  }
  if (!Array.isArray(input)) {
    const documents = textDocuments(input as Readonly<Record<string, unknown>>);
    if (documents !== undefined) return { payload: documents.payload, value: input, metadata: documents.metadata };
  }
  let json: string;
  try {
    json = JSON.stringify(input);
  } catch (error) {
    throw new ContextError(
      `The context cannot be serialised as JSON (${(error as Error).message}). Remove cycles, BigInts and class instances, or pass a string.`,
      { code: 'context-not-serialisable', cause: error },
    );
  }
  const bytes = encoder.encode(json);
  const documents: DocumentSize[] = [];
  let totalChars = 0;
  if (Array.isArray(input)) {
    input.forEach((item, index) => {
      const chars = charsOf(item);
      totalChars += chars;
      if (documents.length < MAX_LISTED_DOCUMENTS) documents.push({ key: String(index), chars });
    });
    return {
      payload: { format: 'json', bytes },
      value: input,
      metadata: { type: 'list', totalChars, length: input.length, documents, bytes: bytes.byteLength },
    };
  }
  const entries = Object.entries(input);
  for (const [key, item] of entries) {
    const chars = charsOf(item);
    totalChars += chars;
    if (documents.length < MAX_LISTED_DOCUMENTS) documents.push({ key, chars });
  }
  return {
    payload: { format: 'json', bytes },
    value: input,
    metadata: { type: 'dict', totalChars, length: entries.length, documents, bytes: bytes.byteLength },
  };
}

/**
 * A record whose values are all strings travels as a `'documents'` payload (raw UTF-8 with an index,
 * see `encodeDocumentsPayload`) instead of one whole-context JSON string; Python sees the same
 * `dict[str, str]`. Undefined for other records, or when a document holds a lone surrogate.
 */
function textDocuments(input: Readonly<Record<string, unknown>>): { payload: ContextPayload; metadata: ContextMetadata } | undefined {
  const entries = Object.entries(input);
  if (entries.length === 0 || !entries.every(([, item]) => typeof item === 'string')) return undefined;
  const payload = encodeDocumentsPayload(entries as [string, string][]);
  if (payload === undefined) return undefined;
  const documents: DocumentSize[] = [];
  let totalChars = 0;
  for (const [key, item] of entries as [string, string][]) {
    totalChars += item.length;
    if (documents.length < MAX_LISTED_DOCUMENTS) documents.push({ key, chars: item.length });
  }
  return { payload, metadata: { type: 'dict', totalChars, length: entries.length, documents, bytes: payload.bytes.byteLength } };
}
