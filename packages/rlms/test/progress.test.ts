import type { RLMEvent, RLMResult } from '@rlms/core';
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
    expect(states[1]).toMatchObject({ iteration: 1, action: 'waiting for the model' });
    expect(states[5]).toMatchObject({ action: 'sub-calls', inFlight: 2, subcalls: 2, tokens: 1_200 });
    expect(states[7]).toMatchObject({ action: 'sub-calls done', inFlight: 0, tokens: 1_800, costUsd: 0.003 });
    expect(monitor.summary()).toMatch(/^iteration 1 · sub-calls done · 2 sub-calls total · 1,800 tokens · \$0\.0030 · \d+ms$/);
    const end = monitor.update({ type: 'run-end', ...base, result: { status: 'completed', usage: usage(1_900, 0.004), costUsd: 0.004 } as unknown as RLMResult });
    expect(end).toMatchObject({ done: true, action: 'completed', tokens: 1_900 });
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
    expect(START.map((event) => monitor.update(event).action)).toEqual(['running code', 'starting the pyodide sandbox', 'running code']);
  });

  it('TracePrinter prints the start and how long it took, apart from the cell run time', () => {
    const writes: string[] = [];
    const printer = new TracePrinter({ write: (text: string) => writes.push(text) });
    for (const event of START) printer.onEvent(event);
    expect(writes.slice(-2)).toEqual(['[rlms]   starting the pyodide sandbox…\n', '[rlms]   pyodide sandbox ready in 9.8s (context loaded in 40ms)\n']);
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
    expect(states.map((state) => state.action)).toEqual(['direct call', 'waiting for the model (direct call)', 'limit reached (budget_exhausted)']);
  });

  it('TracePrinter names the direct call; an RLM run still announces its closing call', () => {
    const writes: string[] = [];
    const printer = new TracePrinter({ write: (text: string) => writes.push(text) });
    for (const event of DIRECT) printer.onEvent(event);
    printer.onEvent({ ...EVENTS[0]!, runId: 'run_8' } as RLMEvent);
    printer.onEvent({ type: 'budget-exhausted', ...base, runId: 'run_8', reason: 'timeout', detail: 'the time limit was reached' });
    expect(writes[0]).toMatch(/^\[rlms\] direct call started: context is a string/);
    expect(writes[2]).toBe('[rlms] limit reached (budget_exhausted): maxTotalTokens (10) would be exceeded by the next prompt alone\n');
    expect(writes[3]).toMatch(/^\[rlms\] run started/);
    expect(writes[4]).toBe('[rlms] limit reached (timeout): the time limit was reached; asking for the best answer so far\n');
  });
});

describe('ProgressReporter', () => {
  it('prints plain lines when not a TTY, one per change of action', () => {
    const { writes, stream } = fakeStream(false);
    const reporter = new ProgressReporter({ stream });
    for (const event of EVENTS) reporter.onEvent(event);
    reporter.stop();
    expect(writes.every((line) => line.startsWith('rlms: ') && line.endsWith('\n'))).toBe(true);
    expect(writes.map((line) => line.split(' · ').slice(0, 2).join(' · '))).toEqual([
      'rlms: starting the sandbox · 0 tokens',
      'rlms: iteration 1 · waiting for the model',
      'rlms: iteration 1 · model answered',
      'rlms: iteration 1 · running code',
      'rlms: iteration 1 · sub-calls',
      'rlms: iteration 1 · sub-calls done',
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
