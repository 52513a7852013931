/**
 * Budgets under pressure: sequential root calls, batched sub-calls in flight together, prices,
 * backends that report no usage. The precise bounds are documented in docs/reliability.md
 * ("Budgets"), including the guarantee the issue asks for: no run exceeds maxTotalTokens/maxCostUsd
 * by more than one call's worth, even with batched sub-calls in flight.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRLM, estimateTokens, type RLMResult, type RLMSettings } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { overshoot } from '../src/call-usage.ts';
import { createProcessMark, findMarkedProcesses } from '../src/leak-check.ts';

const mark = createProcessMark();
const sandbox = createLocalSandbox({ env: mark.env });
afterAll(async () => {
  await sandbox.close();
  expect(findMarkedProcesses(mark)).toEqual([]);
});

const CONCURRENCY = 16;
const BATCH = '```repl\nanswers = llm_query_batched([f"question {i}" for i in range(64)])\nprint(sum(a.startswith("Error") for a in answers), "failed")\n```';

/** A root model that runs `first` once, then never finishes (so only a budget can stop it). */
function root(first: string, then = '```repl\nprint("still going")\n```'): MockModel {
  return new MockModel({ modelId: 'budget-root', replies: ({ index, prompt }) => (prompt.startsWith('The run must stop now') ? 'FINAL(closing)' : index === 0 ? first : then) });
}

/** A sub-model answering with `outputChars` characters (outputChars / 4 tokens) at `costUsd` each. */
function sub(outputChars: number, costUsd?: number): MockModel {
  return new MockModel({
    modelId: 'budget-sub',
    replies: () => ({ text: 'y'.repeat(outputChars), delayMs: 30, ...(costUsd === undefined ? {} : { costUsd }) }),
  });
}

async function run(settings: Partial<RLMSettings> & Pick<RLMSettings, 'model'>): Promise<RLMResult<unknown>> {
  const rlm = createRLM({ sandbox, maxIterations: 50, maxSubcallConcurrency: CONCURRENCY, ...settings });
  const result = await rlm.query({ context: 'budget test context', question: 'Spend until a budget stops you.' });
  expect(result.status, result.statusDetail).toBe('budget_exhausted');
  return result;
}

describe('maxTotalTokens', () => {
  it('sequential root calls: the total stays within maxTotalTokens + the crossing call\'s output + the closing call', async () => {
    const max = 20_000;
    const bulky = '```repl\n# ' + 'padding '.repeat(500) + '\nprint("x" * 2000)\n```';
    const result = await run({ model: root(bulky, bulky), maxTotalTokens: max });
    const o = overshoot(result);
    expect(o.totalTokens).toBeGreaterThan(max * 0.5);
    expect(o.totalTokens - o.closingTokens).toBeLessThanOrEqual(max + o.largestCallTokens);
  });

  it('batched sub-calls: in-flight prompts are reserved before they start, so big prompts beyond the budget never start', async () => {
    const max = 20_000;
    // 64 prompts of ~1,000 tokens each, tiny answers: only about max / 1,000 may run.
    const code = '```repl\nanswers = llm_query_batched(["' + 'word '.repeat(800) + '" + str(i) for i in range(64)])\nprint(sum(a.startswith("Error") for a in answers), "failed")\n```';
    const result = await run({ model: root(code), subModel: sub(8), maxTotalTokens: max });
    const o = overshoot(result);
    const perPrompt = estimateTokens('word '.repeat(800) + '63');
    expect(result.subcalls).toBe(64);
    expect(result.usage.byModel['mock:budget-sub']!.calls).toBeLessThanOrEqual(Math.floor(max / perPrompt));
    expect(o.totalTokens - o.closingTokens).toBeLessThanOrEqual(max + CONCURRENCY * 10);
  });

  it('batched sub-calls with large outputs: the documented bound today is maxTotalTokens + the outputs of the calls in flight (≤ maxSubcallConcurrency calls) + the closing call', async () => {
    const max = 5_000;
    const result = await run({ model: root(BATCH), subModel: sub(4_000), maxTotalTokens: max });
    const o = overshoot(result);
    expect(o.totalTokens - o.closingTokens).toBeLessThanOrEqual(max + (CONCURRENCY + 1) * o.largestCallTokens);
  });

  it('batched sub-calls with large outputs: at most one call\'s worth over maxTotalTokens (plus the closing call)', async () => {
    const max = 5_000;
    const result = await run({ model: root(BATCH), subModel: sub(4_000), maxTotalTokens: max });
    const o = overshoot(result);
    expect(o.totalTokens - o.closingTokens).toBeLessThanOrEqual(max + o.largestCallTokens);
  });

  it('a backend that reports no usage: the estimated tokens of every call count against maxTotalTokens', async () => {
    const max = 5_000;
    const bulky = '```repl\nprint("' + 'z'.repeat(2_000) + '")\n```';
    const model = new MockModel({ modelId: 'silent-root', usage: 'none', replies: ({ prompt }) => (prompt.startsWith('The run must stop now') ? 'FINAL(closing)' : bulky) });
    const rlm = createRLM({ model, sandbox, maxIterations: 30, maxTotalTokens: max });
    const result = await rlm.query({ context: 'c', question: 'Spend until a budget stops you.' });
    const estimated = model.calls
      .filter((call) => !call.prompt.startsWith('The run must stop now'))
      .map((call) => call.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0) + estimateTokens(bulky));
    const largest = Math.max(...estimated);
    expect(estimated.reduce((sum, tokens) => sum + tokens, 0)).toBeLessThanOrEqual(max + largest);
  });
});

describe('maxCostUsd', () => {
  it('sequential root calls: the cost stays within maxCostUsd + one call + the closing call', async () => {
    const max = 0.05;
    const model = new MockModel({
      modelId: 'priced-root',
      replies: ({ prompt }) => (prompt.startsWith('The run must stop now') ? { text: 'FINAL(closing)', costUsd: 0.004 } : { text: '```repl\nprint(1)\n```', costUsd: 0.004 }),
    });
    const result = await run({ model, maxCostUsd: max });
    const o = overshoot(result);
    expect(o.totalCostUsd - o.closingCostUsd).toBeLessThanOrEqual(max + o.largestCallCostUsd + 1e-9);
  });

  it('batched sub-calls: the documented bound today is maxCostUsd + the cost of the calls in flight (≤ maxSubcallConcurrency) + the closing call', async () => {
    const max = 0.05;
    const result = await run({ model: root(BATCH), subModel: sub(40, 0.01), maxCostUsd: max });
    const o = overshoot(result);
    expect(o.totalCostUsd - o.closingCostUsd).toBeLessThanOrEqual(max + (CONCURRENCY + 4) * o.largestCallCostUsd + 1e-9);
  });

  it('batched sub-calls: at most one call\'s worth over maxCostUsd (plus the closing call)', async () => {
    const max = 0.05;
    const result = await run({ model: root(BATCH), subModel: sub(40, 0.01), maxCostUsd: max });
    const o = overshoot(result);
    expect(o.totalCostUsd - o.closingCostUsd).toBeLessThanOrEqual(max + o.largestCallCostUsd + 1e-9);
  });
});
