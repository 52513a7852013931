import { ContextError } from '@rlms/core';
import { Document, MetadataMode, type BaseNode } from '@llamaindex/core/schema';

/** The documents an `RLMQueryEngine` answers over: LlamaIndex nodes/documents, or named texts. */
export type RLMDocumentsInput = readonly BaseNode[] | Readonly<Record<string, string | BaseNode>>;

/** One document as the RLM sees it: `context[key]` holds `content`. */
export interface NamedDocument {
  /** Its name in the `context` dict. Unique. */
  readonly key: string;
  /** The text loaded into the REPL. */
  readonly content: string;
  /** The node handed back in `sourceNodes`. */
  readonly node: BaseNode;
}

/** How nodes become named documents. */
export interface NamedDocumentOptions {
  /**
   * Names a node in the `context` dict. Default: its metadata `file_path`, `file_name`, `source`,
   * `title`, `url` or `name` (the first string found), else its `id_`; repeated names get `#1`, `#2`… suffixes.
   */
  readonly documentKey?: (node: BaseNode, index: number) => string;
  /** Which metadata goes into each document's text (`node.getContent(mode)`). Default `MetadataMode.NONE`: text only. */
  readonly metadataMode?: MetadataMode;
}

const KEY_FIELDS = ['file_path', 'file_name', 'source', 'title', 'url', 'name'] as const;

function isNode(value: unknown): value is BaseNode {
  return typeof value === 'object' && value !== null && typeof (value as BaseNode).getContent === 'function' && typeof (value as BaseNode).id_ === 'string';
}

function defaultKey(node: BaseNode): string {
  const metadata = (node.metadata ?? {}) as Record<string, unknown>;
  for (const field of KEY_FIELDS) {
    const value = metadata[field];
    if (typeof value === 'string' && value.trim().length > 0) return value.trim();
  }
  return node.id_;
}

/** Makes keys unique: a name used by several nodes becomes `name#1`, `name#2`…, in order. */
function uniqueKeys(keys: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const taken = new Set(keys.filter((key) => counts.get(key) === 1));
  const seen = new Map<string, number>();
  return keys.map((key) => {
    if (counts.get(key) === 1) return key;
    let n = seen.get(key) ?? 0;
    let candidate: string;
    do candidate = `${key}#${++n}`;
    while (taken.has(candidate));
    seen.set(key, n);
    taken.add(candidate);
    return candidate;
  });
}

function contentOf(node: BaseNode, mode: MetadataMode, key: string): string {
  const content = node.getContent(mode);
  if (typeof content !== 'string') {
    throw new ContextError(`Document "${key}" has no text content (getContent returned ${typeof content}); pass text nodes or documents.`, {
      code: 'context-type',
    });
  }
  return content;
}

/**
 * Turns nodes/documents or a record of named documents into the named documents of an RLM run.
 * A record's string values become `Document`s with `id_` = the name and `metadata.name` = the name.
 * Throws `ContextError` for an empty collection, a value that is neither a node nor a string, or an empty name.
 */
export function toNamedDocuments(input: RLMDocumentsInput, options: NamedDocumentOptions = {}): NamedDocument[] {
  const mode = options.metadataMode ?? MetadataMode.NONE;
  if (Array.isArray(input)) {
    const nodes = input as readonly unknown[];
    if (nodes.length === 0) throw new ContextError('No documents given: pass at least one LlamaIndex node or document.', { code: 'context-missing' });
    nodes.forEach((node, index) => {
      if (!isNode(node)) {
        throw new ContextError(
          `Item ${index} is not a LlamaIndex node: pass Documents/TextNodes (new Document({ text })), or a record of named texts ({ "notes.md": "…" }).`,
          { code: 'context-type' },
        );
      }
    });
    const typed = nodes as readonly BaseNode[];
    const keys = uniqueKeys(
      typed.map((node, index) => {
        const key = options.documentKey === undefined ? defaultKey(node) : options.documentKey(node, index);
        if (typeof key !== 'string' || key.length === 0) {
          throw new ContextError(`documentKey returned an empty name for node ${index}; return a non-empty string.`, { code: 'context-type' });
        }
        return key;
      }),
    );
    return typed.map((node, index) => ({ key: keys[index]!, content: contentOf(node, mode, keys[index]!), node }));
  }
  if (typeof input !== 'object' || input === null) {
    throw new ContextError('Documents must be an array of LlamaIndex nodes or a record of named documents ({ "notes.md": "…" }).', {
      code: 'context-type',
    });
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length === 0) throw new ContextError('No documents given: the record of named documents is empty.', { code: 'context-missing' });
  return entries.map(([key, value]) => {
    if (key.length === 0) throw new ContextError('A named document has an empty name; use a non-empty key.', { code: 'context-type' });
    if (typeof value === 'string') {
      return { key, content: value, node: new Document({ text: value, id_: key, metadata: { name: key } }) };
    }
    if (isNode(value)) return { key, content: contentOf(value, mode, key), node: value };
    throw new ContextError(`Document "${key}" must be a string or a LlamaIndex node; got ${value === null ? 'null' : typeof value}.`, {
      code: 'context-type',
    });
  });
}

/** The `context` value of a run: a dict from document name to text, in document order. */
export function contextOf(documents: readonly NamedDocument[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const document of documents) context[document.key] = document.content;
  return context;
}
