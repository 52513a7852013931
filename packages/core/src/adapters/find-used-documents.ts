import type { Trajectory } from '../engine/record/trajectory.js';
import { unescapedForms } from './unescaped-forms.js';

/**
 * Where an adapter looks for the documents a run used:
 * - `'subcalls'`: the prompts of `llm_query`/`llm_query_batched`/`rlm_query` calls that a model
 *   answered (failed or refused ones were read by no model), and the contexts handed to child runs;
 * - `'answer'`: the final answer, quoting a document or naming its key (or its source);
 * - `'output'`: the code output shown to the root model (counts peeks such as `print(doc[:300])`).
 */
export type SourceEvidence = 'subcalls' | 'answer' | 'output';

/** What {@link findUsedDocuments} reads of one document. */
export interface SourceDocument {
  /** Its name in the run's context; the answer cites the document by naming it. Unique. */
  readonly key: string;
  /** The text looked for in what the run produced. */
  readonly content: string;
  /**
   * Where it comes from (`'handbook.md'` for each chunk of that file), when known: an answer
   * naming the source cites the source's documents the run read, or all of them when it read none.
   */
  readonly source?: string | undefined;
}

/** The evidence read when none is given: sub-call prompts and the answer. */
export const DEFAULT_SOURCE_EVIDENCE: readonly SourceEvidence[] = ['subcalls', 'answer'];

/** Characters of an indexed window. */
const WINDOW = 40;
/** Distance between indexed windows: a run of WINDOW + STEP - 1 characters always covers one. */
const STEP = 24;
/** Consecutive characters of a document that make it used (fewer: the whole document). */
const MIN_RUN = WINDOW + STEP - 1;
/** Documents shorter than a window count when quoted whole, if they have at least this many non-blank characters. */
const MIN_WHOLE = 12;
/** Windows with fewer distinct characters (rules, padding, repeated symbols) prove nothing and are not indexed. */
const MIN_DISTINCT = 8;
/** Keys and sources shorter than this are not looked for in answers (too likely to occur by chance). */
const MIN_NAME = 3;
/** How deep a child run's context value is searched for strings. */
const MAX_CONTEXT_DEPTH = 6;
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

/** The hash of the window after the one at `position`. */
function roll(hash: number, text: string, position: number): number {
  return (Math.imul(hash - Math.imul(text.charCodeAt(position), TOP), BASE) + text.charCodeAt(position + WINDOW)) | 0;
}

function distinctChars(text: string, start: number, end: number, enough: number): number {
  const seen = new Set<number>();
  for (let index = start; index < end && seen.size < enough; index++) seen.add(text.charCodeAt(index));
  return seen.size;
}

function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code > 127;
}

/**
 * True when `name` occurs in `text` with no letter, digit or `_` glued to it on either side
 * (`'see (beta.md).'` names `beta.md`; `'doc-10'` does not name `doc-1`). Names under 3
 * characters never match.
 */
export function namesKey(text: string, name: string): boolean {
  if (name.length < MIN_NAME) return false;
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    const before = at > 0 && isWordCode(text.charCodeAt(at - 1)) && isWordCode(name.charCodeAt(0));
    const end = at + name.length;
    const after = end < text.length && isWordCode(text.charCodeAt(end)) && isWordCode(name.charCodeAt(name.length - 1));
    if (!before && !after) return true;
  }
  return false;
}

/** Documents marked during one search. */
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
 * Finds which documents a finished run used. A document is used when 63 or more consecutive
 * characters of it (the whole of it, when it is shorter; documents under 40 characters need 12
 * non-blank ones) appear in the texts the evidence points at, when the answer names its key, or
 * when the answer names its `source` (see {@link SourceDocument.source}). Text shared by several
 * documents (boilerplate, repeated templates) proves nothing and is ignored. Texts are searched
 * as written and with their JSON / Python-repr backslash escapes undone (up to two levels), so a
 * context the model stringified (`json.dumps(context)`, `str(context)`) still matches.
 *
 * Every document is sampled as 40-character windows every 24 characters, a text is scanned with a
 * rolling hash, and a window found is extended to the run around it. Built once per document set
 * (one pass to sample, one to find shared windows: linear in the corpus size); immutable, so one
 * index serves every run over the same documents.
 */
export class DocumentExcerptIndex {
  private readonly documents: readonly SourceDocument[];
  private readonly table: HashTable;
  private readonly entryDocument: number[] = [];
  private readonly entryOffset: number[] = [];
  private readonly entryNext: number[] = [];
  private readonly entryShared: boolean[] = [];
  private readonly wholeDocuments: number[] = [];

  constructor(documents: readonly SourceDocument[]) {
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
      hash = roll(hash, content, position);
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

  /** True when the window of `entry`, found at `position` of `text`, lies in a run of MIN_RUN characters (or the whole document). */
  private longEnough(entry: number, text: string, position: number): boolean {
    const content = this.documents[this.entryDocument[entry]!]!.content;
    const offset = this.entryOffset[entry]!;
    const needed = Math.min(MIN_RUN, content.length);
    let length = WINDOW;
    for (let a = offset + WINDOW, b = position + WINDOW; length < needed && a < content.length && b < text.length; a++, b++) {
      if (content.charCodeAt(a) !== text.charCodeAt(b)) break;
      length++;
    }
    for (let a = offset - 1, b = position - 1; length < needed && a >= 0 && b >= 0; a--, b--) {
      if (content.charCodeAt(a) !== text.charCodeAt(b)) break;
      length++;
    }
    return length >= needed;
  }

  /** Marks every document that `text` quotes. */
  private scan(text: string, marks: Marks): void {
    if (typeof text !== 'string' || text.length === 0 || marks.remaining === 0) return;
    for (const index of this.wholeDocuments) {
      if (!marks.found[index] && text.includes(this.documents[index]!.content)) marks.mark(index);
    }
    if (text.length < WINDOW || this.table.size === 0) return;
    let hash = hashAt(text, 0);
    for (let position = 0; ; position++) {
      for (let entry = this.table.get(hash); entry !== -1; entry = this.entryNext[entry]!) {
        const documentIndex = this.entryDocument[entry]!;
        if (marks.found[documentIndex] || this.entryShared[entry]) continue;
        if (this.sameWindow(entry, text, position) && this.longEnough(entry, text, position)) {
          marks.mark(documentIndex);
          if (marks.remaining === 0) return;
        }
      }
      if (position + WINDOW >= text.length) return;
      hash = roll(hash, text, position);
    }
  }

  /**
   * Marks the documents an answer names: by key, or by source, which cites the source's
   * documents already marked, or all of them when none is.
   */
  private scanNames(answer: string, marks: Marks): void {
    if (typeof answer !== 'string' || answer.length === 0) return;
    this.documents.forEach((document, index) => {
      if (!marks.found[index] && namesKey(answer, document.key)) marks.mark(index);
    });
    const bySource = new Map<string, number[]>();
    this.documents.forEach((document, index) => {
      if (document.source === undefined) return;
      const list = bySource.get(document.source);
      if (list === undefined) bySource.set(document.source, [index]);
      else list.push(index);
    });
    for (const [source, indexes] of bySource) {
      if (indexes.some((index) => marks.found[index]) || !namesKey(answer, source)) continue;
      for (const index of indexes) marks.mark(index);
    }
  }

  /**
   * The documents a finished run used (see the class notes), as indexes in document order.
   * `evidence` defaults to {@link DEFAULT_SOURCE_EVIDENCE}; an empty one finds nothing.
   */
  findUsedDocuments(trajectory: Trajectory, answer: string, evidence: readonly SourceEvidence[] = DEFAULT_SOURCE_EVIDENCE): number[] {
    if (this.documents.length === 0 || evidence.length === 0) return [];
    const kinds = new Set(evidence);
    const texts: string[] = [];
    evidenceTexts(trajectory, kinds, false, texts);
    if (kinds.has('answer')) texts.push(answer);
    const marks = new Marks(this.documents.length);
    // Each text is also read with its backslash escapes undone: a context sent as `json.dumps(context)`
    // or `str(context)` has every newline and quote of its documents escaped. The most unescaped form
    // goes first, so a fully stringified corpus is found without scanning its escaped text too.
    for (const text of texts) {
      if (typeof text !== 'string') continue;
      for (const form of unescapedForms(text).reverse()) this.scan(form, marks);
    }
    if (kinds.has('answer') && typeof answer === 'string') for (const form of unescapedForms(answer)) this.scanNames(form, marks);
    return marks.indexes();
  }
}

/**
 * The documents a finished run used, as indexes into `documents` in their order: a one-off
 * {@link DocumentExcerptIndex} (build one and keep it to search several runs over the same documents).
 * `evidence` defaults to {@link DEFAULT_SOURCE_EVIDENCE}.
 */
export function findUsedDocuments(
  documents: readonly SourceDocument[],
  trajectory: Trajectory,
  answer: string,
  evidence: readonly SourceEvidence[] = DEFAULT_SOURCE_EVIDENCE,
): number[] {
  if (documents.length === 0 || evidence.length === 0) return [];
  return new DocumentExcerptIndex(documents).findUsedDocuments(trajectory, answer, evidence);
}

function collectStrings(value: unknown, into: string[], depth = 0): void {
  if (typeof value === 'string') into.push(value);
  else if (depth < MAX_CONTEXT_DEPTH && Array.isArray(value)) for (const item of value) collectStrings(item, into, depth + 1);
  else if (depth < MAX_CONTEXT_DEPTH && typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectStrings(item, into, depth + 1);
  }
}

/** Every text of a trajectory (children included) that the kinds of `evidence` point at. */
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
