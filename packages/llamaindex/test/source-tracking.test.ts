import { DocumentExcerptIndex, namesKey, type Trajectory, type TrajectorySubcall } from '@rlms/core';
import { makeHaystack } from '@rlms/core/conformance';
import { Document } from '@llamaindex/core/schema';
import { describe, expect, it } from 'vitest';
import type { NamedDocument } from '../src/named-documents.js';

function documents(record: Record<string, string>): NamedDocument[] {
  return Object.entries(record).map(([key, content]) => ({ key, content, node: new Document({ text: content, id_: key }) }));
}

function subcall(input: string, extra: Partial<TrajectorySubcall> = {}): TrajectorySubcall {
  return { id: 'c', op: 'llm_query', target: 'mock:m', input, output: 'ok', startedAt: 0, durationMs: 1, ...extra };
}

function trajectory(subcalls: TrajectorySubcall[], stdout = '', contextValue?: unknown): Trajectory {
  return {
    version: 1,
    runId: 'r',
    depth: 0,
    startedAt: 0,
    question: 'q',
    model: 'm',
    subModel: 'm',
    sandbox: 'local',
    systemPrompt: '',
    context: { metadata: { type: 'dict', totalChars: 0, length: 0, documents: [], bytes: 0 }, ...(contextValue === undefined ? {} : { value: contextValue }) },
    steps: [
      {
        iteration: 1,
        kind: 'iteration',
        startedAt: 0,
        durationMs: 1,
        action: { response: '', code: [], usage: {} },
        observation: { executions: [{ code: '', result: { stdout, stderr: '', durationMs: 1 } }], feedback: '' },
        subcalls,
      },
    ],
  };
}

const LONG_A = 'Alpha report. ' + 'The alpha team shipped the ingestion rewrite and cut p99 latency by forty percent across all regions. '.repeat(4);
const LONG_B = 'Beta report. ' + 'The beta team migrated every cron job to the new scheduler and retired the old queue cluster entirely. '.repeat(4);
const BOILERPLATE = 'Confidential - internal use only - do not forward outside the company under any circumstances.';

describe('DocumentExcerptIndex', () => {
  const docs = documents({ 'alpha.md': LONG_A, 'beta.md': LONG_B, 'tiny.txt': 'Gamma: a short note.', 'x': 'y' });
  const index = new DocumentExcerptIndex(docs);

  it('marks a document when a sub-call prompt holds 63+ consecutive characters of it', () => {
    const excerpt = LONG_B.slice(37, 37 + 63);
    expect(index.findUsedDocuments(trajectory([subcall(`Summarise:\n${excerpt}\nThanks`)]), '')).toEqual([1]);
    expect(index.findUsedDocuments(trajectory([subcall(`Summarise: ${LONG_B.slice(37, 37 + 30)}`)]), '')).toEqual([]);
  });

  it('matches short documents whole and ignores failed or refused sub-calls and tool calls', () => {
    expect(index.findUsedDocuments(trajectory([subcall('Note: Gamma: a short note.')]), '')).toEqual([2]);
    expect(index.findUsedDocuments(trajectory([subcall(LONG_A, { error: 'context window overflow' }), subcall(LONG_B, { op: 'tool' })]), '')).toEqual([]);
  });

  it('counts contexts handed to child runs and what children sent to their own sub-calls', () => {
    const child = trajectory([subcall(LONG_B.slice(0, 80))], '', { part: LONG_A.slice(10, 200) });
    expect(index.findUsedDocuments(trajectory([subcall('Delegate', { op: 'rlm_query', child })]), '')).toEqual([0, 1]);
  });

  it('counts answers that quote a document or name its key, with word boundaries', () => {
    expect(index.findUsedDocuments(trajectory([]), `As reported: "${LONG_A.slice(50, 130)}"`)).toEqual([0]);
    expect(index.findUsedDocuments(trajectory([]), 'Details are in beta.md and tiny.txt.')).toEqual([1, 2]);
    expect(index.findUsedDocuments(trajectory([]), 'See beta.mdx, alpha.md2 and x.')).toEqual([]);
    expect(namesKey('see (beta.md).', 'beta.md')).toBe(true);
    expect(namesKey('doc-10', 'doc-1')).toBe(false);
  });

  it("reads code output only with the 'output' evidence", () => {
    const run = trajectory([], LONG_A.slice(0, 100));
    expect(index.findUsedDocuments(run, '')).toEqual([]);
    expect(index.findUsedDocuments(run, '', ['subcalls', 'answer', 'output'])).toEqual([0]);
  });

  it('ignores text shared by several documents (boilerplate)', () => {
    const shared = new DocumentExcerptIndex(documents({ 'a.md': `${BOILERPLATE}\nFirst body text about apples and orchards.`, 'b.md': `${BOILERPLATE}\nSecond body text about boats and harbours.` }));
    expect(shared.findUsedDocuments(trajectory([subcall(`Header: ${BOILERPLATE}`)]), '')).toEqual([]);
  });

  it('finds one document among large ones from an excerpt in the middle', () => {
    const big = documents({ 'logs/a.log': makeHaystack(2_000_000, 10), 'logs/b.log': makeHaystack(2_000_000, 3).replace(/worker/g, 'server'), 'readme.md': LONG_A });
    const excerpt = big[1]!.content.slice(1_234_567, 1_234_567 + 200);
    expect(new DocumentExcerptIndex(big).findUsedDocuments(trajectory([subcall(`Check:\n${excerpt}`)]), 'done')).toEqual([1]);
  });
});
