import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trajectory } from '@rlms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrajectoryFormatError, defaultHtmlPath, embedJson, prepareTrajectory, renderTrajectoryHtml, writeTrajectoryViewer } from '../src/index.js';

const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };

function trajectory(overrides: Partial<Trajectory> = {}): Trajectory {
  return {
    version: 1,
    runId: 'run_t_1',
    depth: 0,
    startedAt: 1_700_000_000_000,
    question: 'What is in the file?',
    model: 'mock:root',
    subModel: 'mock:sub',
    sandbox: 'local',
    systemPrompt: 'You are an RLM.',
    context: { metadata: { type: 'str', totalChars: 3, length: 3, documents: [], bytes: 3 }, value: 'abc' },
    steps: [
      {
        iteration: 1,
        kind: 'iteration',
        startedAt: 1_700_000_000_010,
        durationMs: 20,
        action: { response: '```repl\nFINAL("x")\n```', code: ['FINAL("x")'], usage },
        observation: { executions: [{ code: 'FINAL("x")', result: { stdout: '', stderr: '', durationMs: 1, final: { text: 'x' } } }], feedback: '' },
        subcalls: [],
      },
    ],
    ...overrides,
  } as Trajectory;
}

/** The JSON embedded in a page, parsed back. */
function embedded(html: string): unknown {
  const match = /<script type="application\/json" id="rlms-trajectory">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(match![1]!);
}

describe('renderTrajectoryHtml', () => {
  it('embeds the trajectory safely: no </script>, <!-- or line separators can escape the JSON', () => {
    const hostile = 'a</script><script>alert(1)</script><!-- \u2028 \u2029 </SCRIPT >';
    const html = renderTrajectoryHtml(trajectory({ question: hostile }));
    expect(html.match(/<\/script/gi)).toHaveLength(2); // the JSON element's and the script's own
    expect(html).not.toContain('<!-- ');
    expect((embedded(html) as Trajectory).question).toBe(hostile);
    expect(html).toContain('<title>rlms trajectory — a&#60;/script&#62;');
    expect(embedJson({ text: '<\u2028' })).toBe('{"text":"\\u003c\\u2028"}');
  });

  it('is self-contained: inline CSS and JS, a CSP that forbids fetches, no external URL', () => {
    const html = renderTrajectoryHtml(trajectory());
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket/);
  });

  it('shortens huge strings and contexts but keeps every number', () => {
    const big = 'x'.repeat(50_000) + 'MIDDLE' + 'y'.repeat(50_000);
    const source = trajectory({ question: big, context: { metadata: { type: 'dict', totalChars: 1, length: 1, documents: [], bytes: 1 }, value: { doc: big } } });
    const prepared = prepareTrajectory(source, { maxStringChars: 1_000, maxContextChars: 500 });
    expect(prepared.question.length).toBeLessThan(1_100);
    expect(prepared.question).toContain('⟪rlms view: 99,006 characters omitted⟫');
    expect(prepared.question.startsWith('x'.repeat(500))).toBe(true);
    expect(prepared.question.endsWith('y'.repeat(500))).toBe(true);
    // A dict context keeps its documents (name, size, text cut to the budget), not one JSON string.
    const context = prepared.context as unknown as { value?: unknown; documents?: Array<{ key: string; chars: number; text?: string }> };
    expect(context.value).toBeUndefined();
    expect(context.documents).toHaveLength(1);
    expect(context.documents![0]).toMatchObject({ key: 'doc', chars: big.length });
    expect(context.documents![0]!.text!.length).toBeLessThan(600);
    expect(context.documents![0]!.text).toContain('characters omitted');
    expect(prepared.steps[0]!.action.usage).toEqual(usage);
    expect(prepared.steps[0]!.startedAt).toBe(source.steps[0]!.startedAt);
  });

  it('embeds a dict context as documents with their names, sizes and texts, sharing the context budget', () => {
    const documents = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`doc-${index}.md`, `Line one of ${index}\n"quoted" ✓\n${'x'.repeat(3_000)}`]));
    const source = trajectory({ context: { metadata: { type: 'dict', totalChars: 1, length: 5, documents: [], bytes: 1 }, value: { ...documents, 'data.json': { rows: [1, 2] } } } });
    const prepared = prepareTrajectory(source, { maxContextChars: 4_000 }).context as unknown as { documents: Array<{ key: string; chars: number; text?: string }> };
    expect(prepared.documents.map((document) => document.key)).toEqual([...Object.keys(documents), 'data.json']);
    // The first documents share the budget (at least 1 000 characters each), the rest are named and sized only.
    expect(prepared.documents[0]!.text!.startsWith('Line one of 0\n"quoted" ✓\n')).toBe(true);
    expect(prepared.documents.filter((document) => document.text !== undefined)).toHaveLength(4);
    expect(prepared.documents[5]).toEqual({ key: 'data.json', chars: JSON.stringify({ rows: [1, 2] }, null, 1).length });
    const text = prepareTrajectory(trajectory(), {}).context as unknown as { value?: unknown; documents?: unknown };
    expect(text).toMatchObject({ value: 'abc' });
    expect(text.documents).toBeUndefined();
  });

  it('rejects what is not a trajectory with a TrajectoryFormatError', () => {
    expect(() => renderTrajectoryHtml({ steps: [] } as unknown as Trajectory)).toThrow(TrajectoryFormatError);
    expect(() => renderTrajectoryHtml({ runId: 'r' } as unknown as Trajectory)).toThrow(/"steps" is not an array/);
    expect(() => renderTrajectoryHtml(trajectory({ version: 2 as 1 }))).toThrow(/version 2; this viewer reads version 1/);
  });
});

describe('writeTrajectoryViewer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rlms-view-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes run.html next to run.json, or to `out`, owner-only, and returns the absolute path', async () => {
    const path = join(dir, 'run.json');
    await writeFile(path, JSON.stringify(trajectory()));
    expect(defaultHtmlPath(path)).toBe(join(dir, 'run.html'));
    expect(defaultHtmlPath('trace')).toBe('trace.html');
    expect(await writeTrajectoryViewer(path)).toBe(join(dir, 'run.html'));
    expect(await readFile(join(dir, 'run.html'), 'utf8')).toContain('id="rlms-trajectory"');
    expect((await stat(join(dir, 'run.html'))).mode & 0o777).toBe(0o600);
    const custom = await writeTrajectoryViewer(path, { out: join(dir, 'nested', 'page.html') });
    expect(custom).toBe(join(dir, 'nested', 'page.html'));
  });

  it('explains missing files, bad JSON and non-trajectories with a TrajectoryFormatError', async () => {
    await writeFile(join(dir, 'bad.json'), '{ nope');
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /No trajectory file at .*missing\.json: check the path/],
      [join(dir, 'bad.json'), /bad\.json is not valid JSON/],
      [join(dir, 'other.json'), /not an rlms trajectory: "runId" is missing\. Save one with/],
    ];
    for (const [path, message] of cases) {
      const error = await writeTrajectoryViewer(path).catch((caught: unknown) => caught);
      expect(TrajectoryFormatError.isInstance(error), path).toBe(true);
      expect((error as Error).message, path).toMatch(message);
    }
  });
});
