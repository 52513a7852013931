import type { Trajectory } from '@rlms/core';
import type { NamedDocument } from './named-documents.js';

/**
 * Where `RLMQueryEngine` looks for the documents a run used:
 * - `'subcalls'`: the prompts of `llm_query`/`llm_query_batched`/`rlm_query` calls, and the contexts handed to child runs;
 * - `'answer'`: the final answer, quoting a document or naming its key;
 * - `'output'`: the code output the root model read (counts peeks such as `print(context["a.md"][:300])`).
 */
export type SourceEvidence = 'subcalls' | 'answer' | 'output';

/** Characters of an indexed window. */
const WINDOW = 40;
/** Distance between indexed windows: a shared run of WINDOW + STEP - 1 (63) characters always covers one. */
const STEP = 24;
/** Documents shorter than a window count when quoted whole, if they have at least this many non-blank characters. */
const MIN_WHOLE = 12;
/** Windows with fewer distinct characters (rules, padding, repeated symbols) prove nothing and are not indexed. */
const MIN_DISTINCT = 8;
/** Names shorter than this are not looked for in answers (too likely to occur by chance). */
const MIN_KEY = 3;
const BASE = 131;
const TOP = (() => {
  let power = 1;
  for (let index = 1; index < WINDOW; index++) power = Math.imul(power, BASE);
  return power;
})();

function hashAt(text: string, start: number): number {
  let hash = 0;
  for (let index = start; index < start + WINDOW; index++) hash = (Math.imul(hash, BASE) + text.charCodeAt(index)) | 0;
  return hash;
}

function distinctChars(text: string, start: number, end: number, enough: number): number {
  const seen = new Set<number>();
  for (let index = start; index < end && seen.size < enough; index++) seen.add(text.charCodeAt(index));
  return seen.size;
}

function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code > 127;
}

/** True when `name` occurs in `text` with no letter, digit or `_` glued to it on either side. */
export function namesKey(text: string, name: string): boolean {
  if (name.length < MIN_KEY) return false;
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    const before = at > 0 && isWordCode(text.charCodeAt(at - 1)) && isWordCode(name.charCodeAt(0));
    const end = at + name.length;
    const after = end < text.length && isWordCode(text.charCodeAt(end)) && isWordCode(name.charCodeAt(name.length - 1));
    if (!before && !after) return true;
  }
  return false;
}

/** Documents marked during one run's source search. */
class Marks {
  readonly found: boolean[];
  remaining: number;
  constructor(size: number) {
    this.found = Array.from({ length: size }, () => false);
    this.remaining = size;
  }
  mark(index: number): void {
    if (this.found[index]) return;
    this.found[index] = true;
    this.remaining--;
  }
  /** Indexes of the marked documents, in document order. */
  indexes(): number[] {
    const out: number[] = [];
    this.found.forEach((found, index) => {
      if (found) out.push(index);
    });
    return out;
  }
}

/** Open-addressing table from a window hash to the first entry of its chain (typed arrays: fast on large corpora). */
class HashTable {
  private readonly hashes: Int32Array;
  private readonly heads: Int32Array;
  private readonly mask: number;
  size = 0;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.hashes = new Int32Array(capacity);
    this.heads = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private slot(hash: number): number {
    let slot = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b) & this.mask;
    while (this.heads[slot] !== -1 && this.hashes[slot] !== hash) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** First entry of the chain for `hash`, or -1. */
  get(hash: number): number {
    return this.heads[this.slot(hash)]!;
  }

  /** Makes `entry` the chain head for `hash`; returns the previous head (-1 when none). */
  push(hash: number, entry: number): number {
    const slot = this.slot(hash);
    const previous = this.heads[slot]!;
    if (previous === -1) this.size++;
    this.hashes[slot] = hash;
    this.heads[slot] = entry;
    return previous;
  }
}

/**
 * Finds which documents a text quotes: every document is sampled as 40-character windows every
 * 24 characters, and a text is scanned with a rolling hash, so any verbatim excerpt of 63 or more
 * characters marks its document (short documents count when quoted whole). Windows that occur in
 * several documents (boilerplate, repeated templates) are ignored. Built once per document set
 * (one pass to sample, one to find shared windows; linear in the corpus size); immutable.
 */
export class ExcerptIndex {
  private readonly documents: readonly NamedDocument[];
  private readonly table: HashTable;
  private readonly entryDocument: number[] = [];
  private readonly entryOffset: number[] = [];
  private readonly entryNext: number[] = [];
  private readonly entryShared: boolean[] = [];
  private readonly wholeDocuments: number[] = [];

  constructor(documents: readonly NamedDocument[]) {
    this.documents = documents;
    const windows = documents.reduce((sum, document) => sum + Math.ceil(document.content.length / STEP) + 1, 0);
    this.table = new HashTable(windows);
    documents.forEach((document, index) => this.add(document.content, index));
    if (documents.length > 1) documents.forEach((document, index) => this.markShared(document.content, index));
  }

  private add(content: string, documentIndex: number): void {
    if (content.length < WINDOW) {
      if (content.trim().length >= MIN_WHOLE) this.wholeDocuments.push(documentIndex);
      return;
    }
    const last = content.length - WINDOW;
    for (let offset = 0; ; offset = Math.min(offset + STEP, last)) {
      if (distinctChars(content, offset, offset + WINDOW, MIN_DISTINCT) >= MIN_DISTINCT) this.addWindow(content, documentIndex, offset);
      if (offset === last) break;
    }
  }

  private addWindow(content: string, documentIndex: number, offset: number): void {
    const hash = hashAt(content, offset);
    for (let entry = this.table.get(hash); entry !== -1; entry = this.entryNext[entry]!) {
      if (!this.sameWindow(entry, content, offset)) continue;
      if (this.entryDocument[entry] !== documentIndex) this.entryShared[entry] = true;
      return;
    }
    const entry = this.entryDocument.length;
    this.entryDocument.push(documentIndex);
    this.entryOffset.push(offset);
    this.entryShared.push(false);
    this.entryNext.push(this.table.push(hash, entry));
  }

  /** Marks indexed windows of other documents that occur anywhere in `content` (not only at sampled offsets). */
  private markShared(content: string, documentIndex: number): void {
    if (content.length < WINDOW) return;
    let hash = hashAt(content, 0);
    for (let position = 0; ; position++) {
      for (let entry = this.table.get(hash); entry !== -1; entry = this.entryNext[entry]!) {
        if (this.entryDocument[entry] !== documentIndex && !this.entryShared[entry] && this.sameWindow(entry, content, position)) {
          this.entryShared[entry] = true;
        }
      }
      if (position + WINDOW >= content.length) return;
      hash = (Math.imul(hash - Math.imul(content.charCodeAt(position), TOP), BASE) + content.charCodeAt(position + WINDOW)) | 0;
    }
  }

  private sameWindow(entry: number, text: string, position: number): boolean {
    const content = this.documents[this.entryDocument[entry]!]!.content;
    const offset = this.entryOffset[entry]!;
    for (let index = 0; index < WINDOW; index++) {
      if (content.charCodeAt(offset + index) !== text.charCodeAt(position + index)) return false;
    }
    return true;
  }

  /** Marks every document that `text` quotes. */
  scan(text: string, marks: Marks): void {
    if (typeof text !== 'string' || text.length === 0 || marks.remaining === 0) return;
    for (const index of this.wholeDocuments) {
      if (!marks.found[index] && text.includes(this.documents[index]!.content)) marks.mark(index);
    }
    if (text.length < WINDOW || this.table.size === 0) return;
    let hash = hashAt(text, 0);
    for (let position = 0; ; position++) {
      for (let entry = this.table.get(hash); entry !== -1; entry = this.entryNext[entry]!) {
        const documentIndex = this.entryDocument[entry]!;
        if (!marks.found[documentIndex] && !this.entryShared[entry] && this.sameWindow(entry, text, position)) {
          marks.mark(documentIndex);
          if (marks.remaining === 0) return;
        }
      }
      if (position + WINDOW >= text.length) return;
      hash = (Math.imul(hash - Math.imul(text.charCodeAt(position), TOP), BASE) + text.charCodeAt(position + WINDOW)) | 0;
    }
  }

  /** Marks documents whose key `text` names. */
  scanNames(text: string, marks: Marks): void {
    if (typeof text !== 'string' || text.length === 0) return;
    this.documents.forEach((document, index) => {
      if (!marks.found[index] && namesKey(text, document.key)) marks.mark(index);
    });
  }

  /**
   * The documents a finished run read or cited, as indexes in document order.
   * `evidence` defaults to `['subcalls', 'answer']`.
   */
  findSources(trajectory: Trajectory, answer: string, evidence: readonly SourceEvidence[] = ['subcalls', 'answer']): number[] {
    if (this.documents.length === 0 || evidence.length === 0) return [];
    const kinds = new Set(evidence);
    const texts: string[] = [];
    evidenceTexts(trajectory, kinds, false, texts);
    if (kinds.has('answer')) texts.push(answer);
    const marks = new Marks(this.documents.length);
    for (const text of texts) this.scan(text, marks);
    if (kinds.has('answer')) this.scanNames(answer, marks);
    return marks.indexes();
  }
}

function collectStrings(value: unknown, into: string[], depth = 0): void {
  if (typeof value === 'string') into.push(value);
  else if (depth < 6 && Array.isArray(value)) for (const item of value) collectStrings(item, into, depth + 1);
  else if (depth < 6 && typeof value === 'object' && value !== null) for (const item of Object.values(value)) collectStrings(item, into, depth + 1);
}

/** Every text of a trajectory (children included) that the kinds of `evidence` asked for point at. */
function evidenceTexts(trajectory: Trajectory, evidence: ReadonlySet<SourceEvidence>, isChild: boolean, into: string[]): void {
  if (isChild && evidence.has('subcalls')) collectStrings(trajectory.context.value, into);
  for (const step of trajectory.steps) {
    if (evidence.has('output')) for (const execution of step.observation.executions) into.push(execution.result.stdout);
    for (const subcall of step.subcalls) {
      if (subcall.op === 'tool') continue;
      // A sub-call that failed or was refused (window overflow) was read by no model.
      if (evidence.has('subcalls') && subcall.error === undefined) into.push(subcall.input);
      if (subcall.child !== undefined) evidenceTexts(subcall.child, evidence, true, into);
    }
  }
}
