import { findUsedDocuments, type SourceEvidence, type Trajectory } from '@rlms/core';
import type { DocumentInterface } from '@langchain/core/documents';
import type { NamedDocument } from './document-context.js';

/**
 * The documents a finished run read or cited, in their original order, with their keys. A
 * document counts when 63 or more consecutive characters of its page content (all of it, when it
 * is shorter) went where `evidence` looks, or the answer names its key or its `source` (which
 * cites that source's documents the run read, or all of them when it read none); text shared by
 * several documents is ignored. See `findUsedDocuments` in `@rlms/core`.
 * `evidence` defaults to `['subcalls', 'answer']`.
 */
export function findSourceDocuments(
  documents: readonly NamedDocument[],
  trajectory: Trajectory,
  answer: string,
  evidence: readonly SourceEvidence[] = ['subcalls', 'answer'],
): { documents: DocumentInterface[]; keys: string[] } {
  const used = findUsedDocuments(documents, trajectory, answer, evidence).map((index) => documents[index]!);
  return { documents: used.map((document) => document.document), keys: used.map((document) => document.key) };
}
