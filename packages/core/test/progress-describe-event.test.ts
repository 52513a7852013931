import { describe, expect, it } from 'vitest';
import { RLMEventNarrator, describeRLMEvent, emptyUsageSummary, type RLMEvent, type RLMResult, type RunUsage } from '../src/index.js';

const usage = (totalTokens: number): RunUsage => ({ total: { ...emptyUsageSummary(), totalTokens }, byModel: {}, byDepth: {} });
const base = { runId: 'r1', depth: 0, timestamp: 1_000 };
const context = (type: 'str' | 'list' | 'dict', length: number, totalChars: number) => ({ type, length, totalChars, documents: [], bytes: totalChars });
const execution = (extra: Record<string, unknown>) => ({ stdout: '', stderr: '', durationMs: 850, timedOut: false, ...extra }) as never;
const result = (extra: Partial<RLMResult<unknown>>) =>
  ({ answer: 'x', status: 'completed', usage: usage(10), costUsd: undefined, iterations: 1, subcalls: 1, durationMs: 5, cacheHits: 0, trajectory: [], ...extra }) as unknown as RLMResult<unknown>;
const subcallEnd = (extra: Record<string, unknown> = {}): RLMEvent =>
  ({ ...base, type: 'subcall-end', subcallId: 's1', op: 'llm_query', target: 'mock:small', durationMs: 1_200, inFlight: 0, totalUsage: usage(5), ...extra }) as RLMEvent;
const subcallStart = (id: string, target = 'mock:small'): RLMEvent =>
  ({ ...base, type: 'subcall-start', subcallId: id, op: 'llm_query', target, promptChars: 10, inFlight: 1 }) as RLMEvent;

const table: Array<[string, RLMEvent, string | undefined]> = [
  ['run start, one text', { ...base, type: 'run-start', mode: 'rlm', question: 'q', context: context('str', 1, 1) }, 'Run started (context: one text, 1 character).'],
  ['run start, documents', { ...base, type: 'run-start', mode: 'rlm', question: 'q', context: context('dict', 3, 12_345) }, 'Run started (context: 3 documents, 12,345 characters).'],
  ['direct call start', { ...base, type: 'run-start', mode: 'direct', question: 'q', context: context('list', 1, 20) }, 'Direct call started (context: 1 item, 20 characters).'],
  ['child run start', { ...base, depth: 1, type: 'run-start', mode: 'rlm', question: 'q', context: context('list', 2, 20) }, '[depth 1] Child run started (context: 2 items, 20 characters).'],
  ['sandbox start', { ...base, type: 'sandbox-start', sandbox: 'pyodide' }, 'Starting the pyodide sandbox.'],
  ['sandbox ready', { ...base, type: 'sandbox-ready', sandbox: 'pyodide', durationMs: 2_500, loadContextMs: 300 }, 'The pyodide sandbox is ready after 2.5 s (context loaded in 300 ms).'],
  ['sandbox ready from disk', { ...base, type: 'sandbox-ready', sandbox: 'pyodide', durationMs: 800, loadContextMs: 30, snapshot: 'disk' }, 'The pyodide sandbox is ready after 800 ms (restored from the snapshot on disk, context loaded in 30 ms).'],
  ['sandbox ready, booted', { ...base, type: 'sandbox-ready', sandbox: 'pyodide', durationMs: 3_000, loadContextMs: 30, snapshot: 'none' }, 'The pyodide sandbox is ready after 3.0 s (booted, context loaded in 30 ms).'],
  ['sandbox restart', { ...base, type: 'sandbox-restart', reason: 'it crashed' }, 'The sandbox was restarted: it crashed.'],
  ['iteration', { ...base, type: 'iteration-start', iteration: 2 }, 'Iteration 2: asking the root model.'],
  ['model reply', { ...base, type: 'model-response', iteration: 2, model: 'mock:m', cached: false, text: '', usage: {}, costUsd: undefined, durationMs: 65_000, totalUsage: usage(1) }, 'Iteration 2: the model replied after 1 min 05 s (1 token so far).'],
  ['cached reply', { ...base, type: 'model-response', iteration: 1, model: 'mock:m', cached: true, text: '', usage: {}, costUsd: undefined, durationMs: 0, totalUsage: usage(1_500) }, "Iteration 1: the model's reply came from the cache (1,500 tokens so far)."],
  ['code start', { ...base, type: 'code-execution-start', iteration: 1, block: 0, code: 'x' }, 'Iteration 1: running code block 1.'],
  ['code end', { ...base, type: 'code-execution-end', iteration: 1, block: 1, result: execution({}) }, 'Iteration 1: code block 2 finished in 850 ms.'],
  ['code error', { ...base, type: 'code-execution-end', iteration: 1, block: 0, result: execution({ error: { type: 'KeyError', message: 'k' } }) }, 'Iteration 1: code block 1 raised KeyError after 850 ms.'],
  ['code timeout', { ...base, type: 'code-execution-end', iteration: 1, block: 0, result: execution({ timedOut: true }) }, 'Iteration 1: code block 1 timed out after 850 ms.'],
  ['final answer', { ...base, type: 'code-execution-end', iteration: 3, block: 0, result: execution({ final: { text: '42' } }) }, 'Iteration 3: code block 1 returned the final answer after 850 ms.'],
  ['sub-call start', subcallStart('s1'), undefined],
  ['sub-call end', subcallEnd(), '1 sub-call to mock:small finished in 1.2 s.'],
  ['failed sub-call', subcallEnd({ error: 'rate limited' }), '1 sub-call to mock:small failed in 1.2 s: rate limited.'],
  ['budget', { ...base, type: 'budget-exhausted', reason: 'max_iterations', detail: '3 iterations used' }, 'Limit reached (max iterations): 3 iterations used; asking for the best answer so far.'],
  ['run end, one of each', { ...base, type: 'run-end', result: result({}) }, 'Run completed after 1 iteration and 1 sub-call.'],
  ['run end, plurals', { ...base, type: 'run-end', result: result({ iterations: 4, subcalls: 3 }) }, 'Run completed after 4 iterations and 3 sub-calls.'],
  ['run end with status', { ...base, type: 'run-end', result: result({ status: 'error', statusDetail: 'the model failed', subcalls: 0 }) }, 'Run error (the model failed) after 1 iteration and 0 sub-calls.'],
  ['child run end', { ...base, depth: 2, type: 'run-end', result: result({ iterations: 2 }) }, '[depth 2] Child run completed after 2 iterations and 1 sub-call.'],
];

describe('describeRLMEvent', () => {
  it.each(table)('%s', (_name, event, line) => {
    expect(describeRLMEvent(event)).toBe(line);
  });

  it('puts the label before the depth', () => {
    expect(describeRLMEvent({ ...base, depth: 1, type: 'iteration-start', iteration: 1 }, { label: 'docs' })).toBe('[docs] [depth 1] Iteration 1: asking the root model.');
    expect(describeRLMEvent({ ...base, depth: 1, type: 'iteration-start', iteration: 1 }, { depthPrefix: false })).toBe('Iteration 1: asking the root model.');
  });
});

describe('RLMEventNarrator', () => {
  it('words a batch of sub-calls as one line when the last one ends', () => {
    const narrator = new RLMEventNarrator();
    const lines = [
      subcallStart('a'),
      subcallStart('b', 'mock:other'),
      subcallStart('c'),
      subcallEnd({ subcallId: 'a', timestamp: 1_500 }),
      subcallEnd({ subcallId: 'b', timestamp: 1_800, error: 'boom' }),
      subcallEnd({ subcallId: 'c', timestamp: 3_000 }),
    ].map((event) => narrator.describe(event));
    expect(lines).toEqual(['Sub-calls started (llm_query to mock:small).', undefined, undefined, undefined, undefined, '3 sub-calls to mock:small and mock:other finished in 2.0 s (1 failed).']);
  });

  it('words a tool call by name, with the run prefix', () => {
    const narrator = new RLMEventNarrator({ label: 'docs' });
    const start = { ...base, depth: 1, type: 'subcall-start', subcallId: 't', op: 'tool', target: 'search', promptChars: 3, inFlight: 1 } as RLMEvent;
    expect(narrator.describe(start)).toBe('[docs] [depth 1] Calling tool search.');
    expect(narrator.describe(subcallEnd({ depth: 1, op: 'tool', target: 'search', durationMs: 40 }))).toBe('[docs] [depth 1] 1 sub-call to search finished in 40 ms.');
  });

  it('words a direct call without a REPL or a closing call', () => {
    const narrator = new RLMEventNarrator();
    const direct = { ...base, runId: 'd1' };
    const lines = [
      { ...direct, type: 'run-start', mode: 'direct', question: 'q', context: context('str', 1, 5) },
      { ...direct, type: 'iteration-start', iteration: 1 },
      { ...direct, type: 'budget-exhausted', reason: 'budget_exhausted', detail: 'maxTotalTokens (10) would be exceeded' },
    ].map((event) => narrator.describe(event as RLMEvent));
    expect(lines).toEqual(['Direct call started (context: one text, 5 characters).', 'Direct call: asking the model.', 'Limit reached (budget exhausted): maxTotalTokens (10) would be exceeded.']);
  });

  it('never gives the same line twice in a row', () => {
    const narrator = new RLMEventNarrator();
    const event: RLMEvent = { ...base, type: 'iteration-start', iteration: 1 };
    expect(narrator.describe(event)).toBe('Iteration 1: asking the root model.');
    expect(narrator.describe(event)).toBeUndefined();
  });

  it('leaves error text out when asked (lines that reach clients)', () => {
    const failed = { ...base, type: 'run-end', result: result({ status: 'error', statusDetail: 'gateway http://internal:8000 said 401', subcalls: 0 }) } as RLMEvent;
    expect(describeRLMEvent(failed, { errorMessages: false })).toBe('Run error after 1 iteration and 0 sub-calls.');
    const narrator = new RLMEventNarrator({ errorMessages: false });
    expect(narrator.describe(subcallEnd({ error: 'upstream http://internal:8000 refused key sk-123' }))).toBe('1 sub-call to mock:small failed in 1.2 s.');
    const limit = { ...base, type: 'run-end', result: result({ status: 'max_iterations', statusDetail: 'maxIterations (3) was reached' }) } as RLMEvent;
    expect(describeRLMEvent(limit, { errorMessages: false })).toContain('(maxIterations (3) was reached)');
  });
});
