import { DocumentExcerptIndex, type ContextInput, type RLMResult, type SourceEvidence } from '@rlms/core';

/** True for a record of named documents (not an array, not a `{ format, bytes }` payload). */
export function isDocumentRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !((value as { bytes?: unknown }).bytes instanceof Uint8Array && typeof (value as { format?: unknown }).format === 'string')
  );
}

/** The text of a document as looked for in the run: a string as it is, anything else as JSON. */
function contentOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/**
 * Finds the documents of a record context that a run read or cited (see `findUsedDocuments` in
 * `@rlms/core`): the excerpt index is built once per record and kept while the record lives.
 */
export class ToolSources {
  private readonly indexes = new WeakMap<object, { readonly keys: readonly string[]; readonly index: DocumentExcerptIndex }>();

  constructor(private readonly evidence: readonly SourceEvidence[]) {}

  /**
   * Names of the documents of `corpus` the run used, in corpus order, among those in `searched`
   * (the documents the run was given: `corpus` itself or a selection of it). `undefined` when the
   * corpus is not a record of named documents.
   */
  find(corpus: ContextInput, searched: ContextInput, result: RLMResult): string[] | undefined {
    if (!isDocumentRecord(corpus) || !isDocumentRecord(searched)) return undefined;
    let entry = this.indexes.get(corpus);
    if (entry === undefined) {
      const keys = Object.keys(corpus);
      entry = { keys, index: new DocumentExcerptIndex(keys.map((key) => ({ key, content: contentOf(corpus[key]) }))) };
      this.indexes.set(corpus, entry);
    }
    const { keys, index } = entry;
    return index
      .findUsedDocuments(result.trajectory, result.answer, this.evidence)
      .map((position) => keys[position]!)
      .filter((key) => Object.hasOwn(searched, key));
  }
}
