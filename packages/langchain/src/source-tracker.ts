import type { Trajectory } from '@rlms/core';
import type { DocumentInterface } from '@langchain/core/documents';
import type { NamedDocument } from './document-context.js';

/**
 * Where `RLMChain` looks for the documents a run used:
 * - `'subcalls'`: prompts of `llm_query`/`llm_query_batched`/`rlm_query` calls (and contexts handed to child runs);
 * - `'answer'`: the final answer (a document key or source named, or its text quoted);
 * - `'output'`: the code output shown to the root model (also counts peeks such as `print(doc[:200])`).
 */
export type SourceEvidence = 'subcalls' | 'answer' | 'output';

/** Characters of a fingerprint window (a k-gram). */
const WINDOW = 40;
/**
 * About one window in DENSITY is a fingerprint, chosen by its content (its mixed hash is a multiple
 * of DENSITY), so the same text gives the same fingerprints in every document, whatever its offset.
 * A shared run of 200 characters is missed with probability below 1e-6; of 100, about 0.5%.
 */
const DENSITY = 12;
/** Documents with no content-chosen fingerprint get windows at fixed offsets this far apart instead. */
const STRIDE = 32;
/** Documents shorter than WINDOW are matched whole, if at least this long (shorter ones only by key). */
const MIN_WHOLE = 24;
const BASE = 257;
const POWER = (() => {
  let power = 1;
  for (let index = 1; index < WINDOW; index++) power = Math.imul(power, BASE);
  return power;
})();

function hashAt(text: string, start: number): number {
  let hash = 0;
  for (let index = start; index < start + WINDOW; index++) hash = (Math.imul(hash, BASE) + text.charCodeAt(index)) | 0;
  return hash;
}

function roll(hash: number, text: string, position: number): number {
  return (Math.imul(hash - Math.imul(text.charCodeAt(position), POWER), BASE) + text.charCodeAt(position + WINDOW)) | 0;
}

/** Murmur3's finaliser: spreads the rolling hash so any of its bits can pick fingerprints. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** True when `needle` occurs in `text` not glued to letters, digits or `_` on either side. */
function mentions(text: string, needle: string): boolean {
  if (needle.length === 0) return false;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = at === 0 ? -1 : text.charCodeAt(at - 1);
    const after = at + needle.length >= text.length ? -1 : text.charCodeAt(at + needle.length);
    const glued = (before !== -1 && isWordChar(before) && isWordChar(needle.charCodeAt(0))) || (after !== -1 && isWordChar(after) && isWordChar(needle.charCodeAt(needle.length - 1)));
    if (!glued) return true;
  }
  return false;
}

/**
 * Finds which named documents a run read or cited, by fingerprinting their content: windows of 40
 * characters chosen by content (about one in 12), looked up with a rolling hash in any text the run
 * produced, so a sub-call prompt holding a few hundred consecutive characters of a document marks
 * it. Fingerprints found in several documents (boilerplate, shared headers) prove nothing and are
 * ignored.
 */
class SourceTracker {
  private readonly documents: readonly NamedDocument[];
  private readonly marked: boolean[];
  private remaining: number;
  /** Content-chosen fingerprints, by mixed hash. */
  private readonly heads = new Map<number, number>();
  /** Fixed-offset windows of documents that have no content-chosen fingerprint, by mixed hash. */
  private readonly fallbackHeads = new Map<number, number>();
  private readonly entryDocument: number[] = [];
  private readonly entryOffset: number[] = [];
  private readonly entryNext: number[] = [];
  private readonly entryShared: boolean[] = [];
  private readonly wholeDocuments: number[] = [];

  constructor(documents: readonly NamedDocument[]) {
    this.documents = documents;
    this.marked = documents.map(() => false);
    this.remaining = documents.length;
    documents.forEach((document, index) => this.index(document.content, index));
  }

  private index(content: string, documentIndex: number): void {
    if (content.length < WINDOW) {
      if (content.trim().length >= MIN_WHOLE) this.wholeDocuments.push(documentIndex);
      return;
    }
    let chosen = 0;
    let hash = hashAt(content, 0);
    for (let offset = 0; ; offset++) {
      const key = mix(hash);
      if (key % DENSITY === 0) {
        this.add(this.heads, key, content, documentIndex, offset);
        chosen++;
      }
      if (offset + WINDOW >= content.length) break;
      hash = roll(hash, content, offset);
    }
    if (chosen > 0) return;
    const last = content.length - WINDOW;
    for (let offset = 0; ; offset = Math.min(offset + STRIDE, last)) {
      this.add(this.fallbackHeads, mix(hashAt(content, offset)), content, documentIndex, offset);
      if (offset === last) break;
    }
  }

  private add(heads: Map<number, number>, key: number, content: string, documentIndex: number, offset: number): void {
    const window = content.slice(offset, offset + WINDOW);
    for (let entry = heads.get(key) ?? -1; entry !== -1; entry = this.entryNext[entry]!) {
      if (this.windowOf(entry) !== window) continue;
      // The same text seen before: in this document, nothing to add; in another, it proves nothing.
      if (this.entryDocument[entry] !== documentIndex) this.entryShared[entry] = true;
      return;
    }
    const entry = this.entryDocument.length;
    this.entryDocument.push(documentIndex);
    this.entryOffset.push(offset);
    this.entryShared.push(false);
    this.entryNext.push(heads.get(key) ?? -1);
    heads.set(key, entry);
  }

  private windowOf(entry: number): string {
    const offset = this.entryOffset[entry]!;
    return this.documents[this.entryDocument[entry]!]!.content.slice(offset, offset + WINDOW);
  }

  private mark(index: number): void {
    if (this.marked[index]) return;
    this.marked[index] = true;
    this.remaining--;
  }

  /** Marks every document whose content appears in `text` (see the class notes), or a whole short document. */
  observe(text: string): void {
    if (this.remaining === 0 || typeof text !== 'string' || text.length === 0) return;
    for (const index of this.wholeDocuments) {
      if (!this.marked[index] && text.includes(this.documents[index]!.content)) this.mark(index);
    }
    if (text.length < WINDOW || (this.heads.size === 0 && this.fallbackHeads.size === 0)) return;
    const fallback = this.fallbackHeads.size > 0;
    let hash = hashAt(text, 0);
    for (let position = 0; ; position++) {
      const key = mix(hash);
      const head = key % DENSITY === 0 ? this.heads.get(key) : undefined;
      if (head !== undefined) this.check(head, text, position);
      if (fallback) {
        const other = this.fallbackHeads.get(key);
        if (other !== undefined) this.check(other, text, position);
      }
      if (this.remaining === 0 || position + WINDOW >= text.length) return;
      hash = roll(hash, text, position);
    }
  }

  private check(head: number, text: string, position: number): void {
    for (let entry = head; entry !== -1; entry = this.entryNext[entry]!) {
      const documentIndex = this.entryDocument[entry]!;
      if (this.marked[documentIndex] || this.entryShared[entry]) continue;
      if (text.startsWith(this.windowOf(entry), position)) this.mark(documentIndex);
    }
  }

  /**
   * Marks the documents an answer cites: their key is named (`handbook.md#3`), their text quoted,
   * or their source named (`handbook.md`), in which case the read documents of that source stay
   * the citation, or all of them when none was read.
   */
  cite(answer: string): void {
    if (typeof answer !== 'string' || answer.length === 0) return;
    this.observe(answer);
    this.documents.forEach((document, index) => {
      if (!this.marked[index] && mentions(answer, document.key)) this.mark(index);
    });
    const bySource = new Map<string, number[]>();
    this.documents.forEach((document, index) => {
      if (document.source === undefined || document.source.length < 3) return;
      const list = bySource.get(document.source);
      if (list === undefined) bySource.set(document.source, [index]);
      else list.push(index);
    });
    for (const [source, indexes] of bySource) {
      if (indexes.some((index) => this.marked[index]) || !mentions(answer, source)) continue;
      for (const index of indexes) this.mark(index);
    }
  }

  /** The documents marked so far, in their original order. */
  get sources(): DocumentInterface[] {
    return this.documents.filter((_, index) => this.marked[index]).map((document) => document.document);
  }

  /** Keys of the documents marked so far, in their original order. */
  get sourceKeys(): string[] {
    return this.documents.filter((_, index) => this.marked[index]).map((document) => document.key);
  }
}

function stringsIn(value: unknown, into: string[], depth = 0): void {
  if (typeof value === 'string') into.push(value);
  else if (depth < 4 && Array.isArray(value)) for (const item of value) stringsIn(item, into, depth + 1);
  else if (depth < 4 && typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsIn(item, into, depth + 1);
}

/** Feeds a trajectory (children included) to a tracker, reading the kinds of evidence asked for. */
function observeTrajectory(tracker: SourceTracker, trajectory: Trajectory, evidence: ReadonlySet<SourceEvidence>, isChild: boolean): void {
  if (isChild && evidence.has('subcalls')) {
    const handed: string[] = [];
    stringsIn(trajectory.context.value, handed);
    for (const text of handed) tracker.observe(text);
  }
  for (const step of trajectory.steps) {
    if (evidence.has('output')) {
      for (const execution of step.observation.executions) tracker.observe(execution.result.stdout);
    }
    for (const subcall of step.subcalls) {
      if (subcall.op === 'tool') continue;
      if (evidence.has('subcalls')) tracker.observe(subcall.input);
      if (subcall.child !== undefined) observeTrajectory(tracker, subcall.child, evidence, true);
    }
  }
}

/**
 * The documents a finished run read or cited, in their original order.
 * `evidence` defaults to `['subcalls', 'answer']`.
 */
export function findSourceDocuments(
  documents: readonly NamedDocument[],
  trajectory: Trajectory,
  answer: string,
  evidence: readonly SourceEvidence[] = ['subcalls', 'answer'],
): { documents: DocumentInterface[]; keys: string[] } {
  if (documents.length === 0 || evidence.length === 0) return { documents: [], keys: [] };
  const tracker = new SourceTracker(documents);
  const kinds = new Set(evidence);
  observeTrajectory(tracker, trajectory, kinds, false);
  if (kinds.has('answer')) tracker.cite(answer);
  return { documents: tracker.sources, keys: tracker.sourceKeys };
}
