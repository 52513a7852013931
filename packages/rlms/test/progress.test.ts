import { describeRLMEvent, type RLMEvent, type RLMResult } from '@rlms/core';
import { describe, expect, it } from 'vitest';
import { ProgressReporter, RunMonitor, TracePrinter } from '../src/index.js';

const usage = (tokens: number, cost?: number) => ({
  total: { calls: 1, inputTokens: tokens, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: tokens, costUsd: cost, callsWithoutUsage: 0, callsWithoutCost: 0 },
  byModel: {},
  byDepth: {},
});
const base = { runId: 'run_1', depth: 0, timestamp: 0 };
const EVENTS: RLMEvent[] = [
  { type: 'run-start', ...base, mode: 'rlm', question: 'q', context: { type: 'str', totalChars: 10, length: 10, documents: [], bytes: 10 } },
  { type: 'iteration-start', ...base, iteration: 1 },
  { type: 'model-response', ...base, iteration: 1, model: 'mock:root', cached: false, text: 'x', usage: {}, costUsd: 0.001, durationMs: 5, totalUsage: usage(1_200, 0.001) },
  { type: 'code-execution-start', ...base, iteration: 1, block: 0, code: 'llm_query_batched(...)' },
  { type: 'subcall-start', ...base, subcallId: 'a', op: 'llm_query_batched', target: 'mock:sub', promptChars: 10, inFlight: 1 },
  { type: 'subcall-start', ...base, subcallId: 'b', op: 'llm_query_batched', target: 'mock:sub', promptChars: 10, inFlight: 2 },
  { type: 'subcall-end', ...base, subcallId: 'a', op: 'llm_query_batched', target: 'mock:sub', durationMs: 1, inFlight: 1, totalUsage: usage(1_500, 0.002) },
  { type: 'subcall-end', ...base, subcallId: 'b', op: 'llm_query_batched', target: 'mock:sub', durationMs: 1, inFlight: 0, totalUsage: usage(1_800, 0.003) },
];

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

describe('RunMonitor', () => {
  it('folds events into iteration, action, sub-calls in flight, tokens and cost', () => {
    const monitor = new RunMonitor(Date.now());
    const states = EVENTS.map((event) => ({ ...monitor.update(event) }));
    // The action is core's line for the latest step (no full stop): the same words as every adapter.
    expect(states[1]).toMatchObject({ iteration: 1, action: 'Iteration 1: asking the root model' });
    expect(`${states[1]!.action}.`).toBe(describeRLMEvent(EVENTS[1]!));
    expect(states[5]).toMatchObject({ action: 'Sub-calls started (llm_query_batched to mock:sub)', inFlight: 2, subcalls: 2, tokens: 1_200 });
    expect(states[7]).toMatchObject({ action: '2 sub-calls to mock:sub finished in 0 ms', inFlight: 0, tokens: 1_800, costUsd: 0.003 });
    expect(monitor.summary()).toMatch(/^2 sub-calls to mock:sub finished in 0 ms · 2 sub-calls total · 1,800 tokens · \$0\.0030 · \d+ms$/);
    const end = monitor.update({ type: 'run-end', ...base, result: { status: 'completed', iterations: 1, subcalls: 2, usage: usage(1_900, 0.004), costUsd: 0.004 } as unknown as RLMResult });
    expect(end).toMatchObject({ done: true, action: 'Run completed after 1 iteration and 2 sub-calls', tokens: 1_900 });
  });
});

describe('sandbox start-up is visible (it can take seconds)', () => {
  const START: RLMEvent[] = [
    { type: 'code-execution-start', ...base, iteration: 1, block: 0, code: 'print(1)' },
    { type: 'sandbox-start', ...base, sandbox: 'pyodide' },
    { type: 'sandbox-ready', ...base, sandbox: 'pyodide', durationMs: 9_800, loadContextMs: 40 },
  ];

  it('RunMonitor shows the sandbox starting, then the code running', () => {
    const monitor = new RunMonitor(Date.now());
    expect(START.map((event) => monitor.update(event).action)).toEqual([
      'Iteration 1: running code block 1',
      'Starting the pyodide sandbox',
      'The pyodide sandbox is ready after 9.8 s (context loaded in 40 ms)',
    ]);
  });

  it('TracePrinter prints the start and how long it took, apart from the cell run time', () => {
    const writes: string[] = [];
    const printer = new TracePrinter({ write: (text: string) => writes.push(text) });
    for (const event of START) printer.onEvent(event);
    expect(writes.slice(-2)).toEqual(['[rlms] Starting the pyodide sandbox.\n', '[rlms] The pyodide sandbox is ready after 9.8 s (context loaded in 40 ms).\n']);
  });
});

describe('direct runs, told apart by the mode of run-start', () => {
  const direct = { runId: 'run_7', depth: 0, timestamp: 0 };
  const DIRECT: RLMEvent[] = [
    { type: 'run-start', ...direct, mode: 'direct', question: 'q', context: { type: 'str', totalChars: 10, length: 10, documents: [], bytes: 10 } },
    { type: 'iteration-start', ...direct, iteration: 1 },
    { type: 'budget-exhausted', ...direct, reason: 'budget_exhausted', detail: 'maxTotalTokens (10) would be exceeded by the next prompt alone' },
  ];

  it('RunMonitor says "direct call" and promises no closing answer', () => {
    const monitor = new RunMonitor(Date.now());
    const states = DIRECT.map((event) => ({ ...monitor.update(event) }));
    expect(states.map((state) => state.action)).toEqual([
      'Direct call started (context: one text, 10 characters)',
      'Direct call: asking the model',
      'Limit reached (budget exhausted): maxTotalTokens (10) would be exceeded by the next prompt alone',
    ]);
  });

  it('TracePrinter names the direct call; an RLM run still announces its closing call', () => {
    const writes: string[] = [];
    const printer = new TracePrinter({ write: (text: string) => writes.push(text) });
    for (const event of DIRECT) printer.onEvent(event);
    printer.onEvent({ ...EVENTS[0]!, runId: 'run_8' } as RLMEvent);
    printer.onEvent({ type: 'budget-exhausted', ...base, runId: 'run_8', reason: 'timeout', detail: 'the time limit was reached' });
    expect(writes[0]).toBe('[rlms] Direct call started (context: one text, 10 characters).\n');
    expect(writes[1]).toBe('[rlms]   question: q\n');
    expect(writes[3]).toBe('[rlms] Limit reached (budget exhausted): maxTotalTokens (10) would be exceeded by the next prompt alone.\n');
    expect(writes[4]).toBe('[rlms] Run started (context: one text, 10 characters).\n');
    expect(writes[6]).toBe('[rlms] Limit reached (timeout): the time limit was reached; asking for the best answer so far.\n');
  });
});

describe('ProgressReporter', () => {
  it('prints plain lines when not a TTY, one per change of action', () => {
    const { writes, stream } = fakeStream(false);
    const reporter = new ProgressReporter({ stream });
    for (const event of EVENTS) reporter.onEvent(event);
    reporter.stop();
    expect(writes.every((line) => line.startsWith('rlms: ') && line.endsWith('\n'))).toBe(true);
    expect(writes.map((line) => line.split(' · ')[0])).toEqual([
      'rlms: Run started (context: one text, 10 characters)',
      'rlms: Iteration 1: asking the root model',
      'rlms: Iteration 1: the model replied after 5 ms (1,200 tokens so far)',
      'rlms: Iteration 1: running code block 1',
      'rlms: Sub-calls started (llm_query_batched to mock:sub)',
      'rlms: 2 sub-calls to mock:sub finished in 0 ms',
    ]);
    expect(writes[4]).toContain('1 sub-call in flight');
  });

  it('redraws one line in place on a TTY and clears it when stopped', () => {
    const { writes, stream } = fakeStream(true);
    const reporter = new ProgressReporter({ stream });
    for (const event of EVENTS) reporter.onEvent(event);
    reporter.note('rlms: interrupted');
    reporter.stop();
    expect(writes.every((text) => text.startsWith('\r\x1b[2K'))).toBe(true);
    expect(writes.filter((text) => text.includes('\n'))).toEqual(['\r\x1b[2Krlms: interrupted\n']);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
    expect(writes.some((text) => /2 sub-calls in flight · 2 sub-calls total · 1,200 tokens/.test(text))).toBe(true);
  });
});
