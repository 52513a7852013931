import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findUsedDocuments, type SourceDocument, type Trajectory, type TrajectorySubcall } from '../src/index.js';

const PYTHON = process.env.RLMS_PYTHON ?? 'python3';

/** Documents with short lines, quotes of both kinds, a backslash, non-ASCII and an emoji: no 63-character run survives escaping. */
const DOCUMENTS: Record<string, string> = {
  'notes/billing.md': 'Billing\n- retries: 5\n- backoff: "exponential"\n- owner: Zoë\n- path: C:\\billing\n- it\'s paged 🚨\n- since: v2.3\n- gateway: stripe',
  'notes/search.md': 'Search\n- retries: none\n- cache: 10 min\n- owner: Jürgen\n- note: "fail fast"\n- index: nightly\n- shards: 12\n- replicas: 3',
  'notes/auth.md': 'Auth\n- tokens: 12 h\n- rotation: Mon\n- owner: Ana\n- keys: "HSM"\n- mfa: required\n- sessions: 30 d\n- audit: on',
  tiny: 'Tiny:\n"short" note ✓',
};

/** What Python prints for `expression` over `docs` (bound as `docs`): the exact escaping a model's code produces. */
function python(expression: string, docs: Record<string, string>): string {
  const script = `import json, sys\ndocs = json.loads(sys.stdin.read())\nsys.stdout.write(${expression})`;
  return execFileSync(PYTHON, ['-I', '-c', script], { input: JSON.stringify(docs), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONIOENCODING: 'utf-8' } });
}

function subcall(input: string): TrajectorySubcall {
  return { id: 'c', op: 'llm_query', target: 'mock:m', input, output: 'ok', startedAt: 0, durationMs: 1 };
}

function trajectory(prompts: readonly string[], stdout = ''): Trajectory {
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
    context: { metadata: { type: 'dict', totalChars: 0, length: 0, documents: [], bytes: 0 } },
    steps: [
      {
        iteration: 1,
        kind: 'iteration',
        startedAt: 0,
        durationMs: 1,
        action: { response: '', code: [], usage: {} },
        observation: { executions: [{ code: '', result: { stdout, stderr: '', durationMs: 1 } }], feedback: '' },
        subcalls: prompts.map(subcall),
      },
    ],
  };
}

const documents: SourceDocument[] = Object.entries(DOCUMENTS).map(([key, content]) => ({ key, content }));
const keysOf = (indexes: readonly number[]) => indexes.map((index) => documents[index]!.key);
const picked = { 'notes/billing.md': DOCUMENTS['notes/billing.md']!, tiny: DOCUMENTS.tiny! };

describe('findUsedDocuments over a stringified context', () => {
  it.each([
    ['json.dumps(docs)', 'json.dumps(docs)'],
    ['json.dumps(docs, ensure_ascii=False)', 'json.dumps(docs, ensure_ascii=False)'],
    ['str(docs)', 'str(docs)'],
    ['repr of each document', '"\\n".join(repr(v) for v in docs.values())'],
    ['json.dumps(str(docs)) (escaped twice)', 'json.dumps(str(docs))'],
  ])('finds the documents in a sub-call prompt made with %s', (_name, expression) => {
    const prompt = `Summarise these: ${python(expression, picked)}`;
    // The escaped text shares no 63-character run with the documents: found only by undoing the escapes.
    expect(prompt).not.toContain(DOCUMENTS['notes/billing.md']!.slice(0, 20));
    expect(keysOf(findUsedDocuments(documents, trajectory([prompt]), ''))).toEqual(['notes/billing.md', 'tiny']);
  });

  it("finds documents printed with json.dumps in code output, with the 'output' evidence", () => {
    const stdout = python('json.dumps({k: docs[k] for k in ["notes/search.md"]}, indent=2)', DOCUMENTS);
    expect(keysOf(findUsedDocuments(documents, trajectory([], stdout), '', ['output']))).toEqual(['notes/search.md']);
    expect(findUsedDocuments(documents, trajectory([], stdout), '')).toEqual([]);
  });

  it('finds a document quoted escaped in the answer, and still matches unescaped text and raw backslashes', () => {
    const answer = `Per the notes: ${python('json.dumps(docs["notes/auth.md"])', DOCUMENTS)}`;
    expect(keysOf(findUsedDocuments(documents, trajectory([]), answer))).toEqual(['notes/auth.md']);
    expect(keysOf(findUsedDocuments(documents, trajectory([DOCUMENTS['notes/billing.md']!]), ''))).toEqual(['notes/billing.md']);
  });

  it('does not invent sources: escaped text of other documents, or cut escapes, match nothing', () => {
    const other = python('json.dumps(docs)', { x: 'Other\n- retries: 7\n- cache: none\n- owner: Bo\n- note: "slow"\n- index: weekly' });
    expect(findUsedDocuments(documents, trajectory([`${other} \\u12 \\x \\`]), 'no names here')).toEqual([]);
  });
});
