import type { Trajectory, TrajectoryStep } from '@rlms/core';
import { Document } from '@langchain/core/documents';
import { describe, expect, it } from 'vitest';
import { defaultDocumentKey, findSourceDocuments, metadataHeader, toNamedDocuments } from '../src/index.js';

const BOILERPLATE = 'This message is confidential and intended only for the named recipient of the company. ';

function documents() {
  return toNamedDocuments([
    new Document({ pageContent: `Alpha report: revenue grew by twelve percent in the northern region during the third quarter. ${BOILERPLATE}`, metadata: { source: 'alpha.md' } }),
    new Document({ pageContent: `Beta report: churn fell to two percent after the onboarding flow was redesigned last spring. ${BOILERPLATE}`, metadata: { source: 'beta.md' } }),
    new Document({ pageContent: 'Gamma: short memo on parking.', metadata: { source: 'gamma.md' } }),
    new Document({ pageContent: `Delta part one covers the migration plan for the billing database in detail.`, metadata: { source: 'delta.md' } }),
    new Document({ pageContent: `Delta part two covers the rollback plan for the billing database in detail.`, metadata: { source: 'delta.md' } }),
  ]);
}

/** A trajectory with one step holding the given sub-call prompts and code output. */
function trajectory(prompts: readonly string[], stdout = ''): Trajectory {
  const step: TrajectoryStep = {
    iteration: 1,
    kind: 'iteration',
    startedAt: 0,
    durationMs: 0,
    action: { response: '', code: [], usage: {} },
    observation: { executions: [{ code: '', result: { stdout, stderr: '', durationMs: 1 } }], feedback: '' },
    subcalls: prompts.map((input, index) => ({ id: `c${index}`, op: 'llm_query', target: 'mock:m', input, output: 'ok', startedAt: 0, durationMs: 1 })),
  };
  return {
    version: 1,
    runId: 'r',
    depth: 0,
    startedAt: 0,
    question: 'q',
    model: 'mock:m',
    subModel: 'mock:m',
    sandbox: 'local',
    systemPrompt: '',
    context: { metadata: { type: 'dict', totalChars: 0, length: 0, documents: [], bytes: 0 } },
    steps: [step],
  };
}

describe('source tracking', () => {
  it('marks a document whose text went into a sub-call prompt, wherever the slice starts', () => {
    const named = documents();
    const slice = named[1]!.content.slice(7, 7 + 150);
    const found = findSourceDocuments(named, trajectory([`Summarise: ${slice} …`]), 'no citation');
    expect(found.keys).toEqual(['beta.md#1']);
    const tooShort = findSourceDocuments(named, trajectory([named[1]!.content.slice(0, 40)]), 'no citation');
    expect(tooShort.keys).toEqual([]);
  });

  it('marks any 63-character excerpt, and ignores shorter ones and failed sub-calls', () => {
    const named = documents();
    for (const start of [0, 5, 13, 29]) {
      expect(findSourceDocuments(named, trajectory([named[1]!.content.slice(start, start + 63)]), '').keys).toEqual(['beta.md#1']);
      expect(findSourceDocuments(named, trajectory([named[1]!.content.slice(start, start + 62)]), '').keys).toEqual([]);
    }
    const failed = trajectory([named[0]!.content]);
    failed.steps[0]!.subcalls[0] = { ...failed.steps[0]!.subcalls[0]!, error: 'context window overflow' };
    expect(findSourceDocuments(named, failed, '').keys).toEqual([]);
  });

  it('ignores text shared by several documents (boilerplate)', () => {
    const found = findSourceDocuments(documents(), trajectory([`Read: ${BOILERPLATE}${BOILERPLATE}`]), '');
    expect(found.keys).toEqual([]);
  });

  it('matches short documents whole, and cites by key with word boundaries', () => {
    const named = documents();
    expect(findSourceDocuments(named, trajectory(['memo: Gamma: short memo on parking.']), '').keys).toEqual(['gamma.md#2']);
    expect(findSourceDocuments(named, trajectory([]), 'See alpha.md#0.').keys).toEqual(['alpha.md#0']);
    const numbered = toNamedDocuments(
      Array.from({ length: 13 }, (_, index) => new Document({ pageContent: `note ${index}` })),
      { documentKey: (_, index) => `note${index}` },
    );
    expect(findSourceDocuments(numbered, trajectory([]), 'Only note12 matters (not note_1).').keys).toEqual(['note12']);
  });

  it('cites a named source: its read documents if any, else all of its documents', () => {
    const named = documents();
    const partTwo = named[4]!.content;
    expect(findSourceDocuments(named, trajectory([partTwo]), 'According to delta.md, roll back first.').keys).toEqual(['delta.md#4']);
    expect(findSourceDocuments(named, trajectory([]), 'According to delta.md, roll back first.').keys).toEqual(['delta.md#3', 'delta.md#4']);
  });

  it('counts code output only when asked, and nothing when evidence is empty', () => {
    const named = documents();
    const printed = trajectory([], named[0]!.content);
    expect(findSourceDocuments(named, printed, '').keys).toEqual([]);
    expect(findSourceDocuments(named, printed, '', ['output']).keys).toEqual(['alpha.md#0']);
    expect(findSourceDocuments(named, trajectory([named[0]!.content]), 'alpha.md#0', []).keys).toEqual([]);
  });

  it('builds keys and front-matter headers from metadata', () => {
    expect(defaultDocumentKey(new Document({ pageContent: 'x', metadata: {} }), 4)).toBe('document-4');
    expect(defaultDocumentKey(new Document({ pageContent: 'x', metadata: { url: 'https://a.b/c' } }), 1)).toBe('https://a.b/c#1');
    expect(metadataHeader(new Document({ pageContent: 'x', metadata: { source: 'a.md', loc: { lines: { from: 1, to: 9 } }, note: 'two\nlines' } }))).toBe(
      '---\nsource: a.md\nloc: {"lines":{"from":1,"to":9}}\nnote: "two\\nlines"\n---\n',
    );
    expect(toNamedDocuments([new Document({ pageContent: 'body' })])[0]!.value).toBe('body');
    expect(toNamedDocuments([new Document({ pageContent: 'body', metadata: { source: 'a' } })], { includeMetadata: false })[0]!.value).toBe('body');
    expect(() => toNamedDocuments([new Document({ pageContent: 'a' }), new Document({ pageContent: 'b' })], { documentKey: () => 'same' })).toThrow(/unique/);
  });
});
