import { describe, expect, it } from 'vitest';
import { Budget } from '../src/engine/accounting/budget.js';
import { prepareContext } from '../src/engine/prompt/context.js';
import { Semaphore } from '../src/engine/run/semaphore.js';
import { abortCause, type RunTree } from '../src/engine/run/run-tree.js';
import { truncateMiddle } from '../src/engine/prompt/truncate.js';
import { UsageTracker, computeCostUsd, findPricing } from '../src/engine/accounting/usage.js';
import { ContextError } from '../src/errors/errors.js';

describe('truncateMiddle', () => {
  it('keeps head and tail and says how much was cut', () => {
    const { text, cut } = truncateMiddle('a'.repeat(50) + 'b'.repeat(50), 20);
    expect(cut).toBe(80);
    expect(text.startsWith('a'.repeat(10))).toBe(true);
    expect(text.endsWith('b'.repeat(10))).toBe(true);
    expect(text).toContain('[80 characters truncated]');
  });
  it('returns short text unchanged', () => {
    expect(truncateMiddle('short', 20)).toEqual({ text: 'short', cut: 0 });
  });
});

describe('prepareContext', () => {
  it('serialises a string as text bytes', () => {
    const prepared = prepareContext('héllo');
    expect(prepared.payload.format).toBe('text');
    expect(prepared.metadata).toMatchObject({ type: 'str', totalChars: 5, bytes: 6 });
  });
  it('lists document sizes of a record', () => {
    const prepared = prepareContext({ 'a.txt': 'xx', 'b.txt': 'yyyy' });
    expect(prepared.payload.format).toBe('documents');
    expect(prepared.metadata).toMatchObject({ type: 'dict', length: 2, totalChars: 6 });
    expect(prepared.metadata.documents).toEqual([
      { key: 'a.txt', chars: 2 },
      { key: 'b.txt', chars: 4 },
    ]);
  });
  it('rejects missing and cyclic contexts with ContextError', () => {
    expect(() => prepareContext(undefined as never)).toThrow(ContextError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => prepareContext(cyclic)).toThrow(/cannot be serialised/);
  });
});

describe('usage and cost', () => {
  it('computes cost with cached input priced separately', () => {
    const cost = computeCostUsd(
      { inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 100_000 },
      { inputPerMillion: 2, cachedInputPerMillion: 1, outputPerMillion: 10 },
    );
    expect(cost).toBeCloseTo(1 + 0.5 + 1);
  });
  it('finds pricing by longest prefix', () => {
    const table = { 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 }, 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } };
    expect(findPricing(table, 'gpt-4o-mini-2024-07-18')?.inputPerMillion).toBe(0.15);
    expect(findPricing(table, 'gpt-4o-2024-08-06')?.inputPerMillion).toBe(2.5);
    expect(findPricing(table, 'claude')).toBeUndefined();
  });
  it('tracks by model and depth, and never invents usage', () => {
    const tracker = new UsageTracker();
    tracker.record('mock:a', 0, { inputTokens: 10, outputTokens: 5 }, 0.01);
    tracker.record('mock:b', 1, {}, undefined);
    const snapshot = tracker.snapshot();
    expect(snapshot.total).toMatchObject({ calls: 2, totalTokens: 15, callsWithoutUsage: 1, callsWithoutCost: 1, costUsd: 0.01 });
    expect(snapshot.byDepth[1]).toMatchObject({ calls: 1, totalTokens: 0, costUsd: undefined });
  });
});

describe('Budget', () => {
  const signal = new AbortController().signal;
  const request = (promptTokens: number, extra: { maxOutputTokens?: number } = {}) => ({ model: 'mock:m', promptTokens, signal, ...extra });

  it('runs a model\'s first call alone, then reserves prompt + the largest output seen', async () => {
    const budget = new Budget({ maxTotalTokens: 1_000 }, signal);
    const first = await budget.reserve(request(10));
    expect(typeof first).toBe('object');
    let secondStarted = false;
    const second = budget.reserve(request(10)).then((reservation) => {
      secondStarted = true;
      return reservation;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(secondStarted).toBe(false); // output of the first call unknown: waits for it
    budget.charge({ model: 'mock:m', tokens: 110, outputTokens: 100, costUsd: undefined, estimated: false });
    (first as { release(): void }).release();
    expect(typeof (await second)).toBe('object');
  });

  it('starts calls together while prompt + output allowances fit, and lets one go alone past the limit', async () => {
    const budget = new Budget({ maxTotalTokens: 1_000 }, signal);
    budget.charge({ model: 'mock:m', tokens: 0, outputTokens: 200, costUsd: undefined, estimated: false });
    const held = await Promise.all([budget.reserve(request(100)), budget.reserve(request(100)), budget.reserve(request(100))]);
    expect(held.every((reservation) => typeof reservation === 'object')).toBe(true);
    let fourth = false;
    const waiting = budget.reserve(request(100)).then(() => (fourth = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fourth).toBe(false); // 3 × 300 reserved: a fourth 300 does not fit
    for (const reservation of held) (reservation as { release(): void }).release();
    await waiting;
    expect(fourth).toBe(true);
  });

  it('refuses a call whose prompt alone is past the limit, and stops once the limit is spent', async () => {
    const budget = new Budget({ maxTotalTokens: 100 }, signal);
    expect(await budget.reserve(request(150))).toBe('budget_exhausted');
    const other = new Budget({ maxTotalTokens: 100 }, signal);
    other.charge({ model: 'mock:m', tokens: 120, outputTokens: 20, costUsd: undefined, estimated: true });
    expect(other.check()).toBe('budget_exhausted');
    expect(other.detail).toContain('counted by estimate');
  });

  it('reserves cost from the price table', async () => {
    const budget = new Budget({ maxCostUsd: 1 }, signal);
    const pricing = { inputPerMillion: 1_000_000, outputPerMillion: 0 }; // $1 per input token
    const first = await budget.reserve({ ...request(1), pricing, maxOutputTokens: 0 });
    expect(typeof first).toBe('object');
    let second = false;
    const waiting = budget.reserve({ ...request(1), pricing, maxOutputTokens: 0 }).then(() => (second = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second).toBe(false);
    budget.charge({ model: 'mock:m', tokens: 1, outputTokens: 0, costUsd: 1, estimated: false });
    (first as { release(): void }).release();
    expect(await waiting).toBe(true);
    expect(budget.check()).toBe('budget_exhausted');
  });

  it('reports a deadline as timeout and an abort as aborted', () => {
    expect(new Budget({ deadline: Date.now() - 1 }, signal).check()).toBe('timeout');
    const controller = new AbortController();
    controller.abort();
    expect(new Budget({}, controller.signal).check()).toBe('aborted');
  });
});

describe('Semaphore', () => {
  it('never lets more than its capacity through', async () => {
    const semaphore = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await semaphore.acquire();
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active--;
        release();
      }),
    );
    expect(peak).toBe(3);
  });
});

describe('EventQueue', () => {
  it('delivers queued items (undefined included) before the end, and ignores a failure after the end', async () => {
    const { EventQueue } = await import('../src/engine/api/event-queue.js');
    const queue = new EventQueue<number | undefined>();
    queue.push(1);
    queue.push(undefined);
    queue.end();
    queue.fail(new Error('too late'));
    const seen: Array<number | undefined> = [];
    for await (const item of queue) seen.push(item);
    expect(seen).toEqual([1, undefined]);
  });

  it('rejects a waiting consumer once on failure, then ends', async () => {
    const { EventQueue } = await import('../src/engine/api/event-queue.js');
    const queue = new EventQueue<number>();
    const iterator = queue[Symbol.asyncIterator]();
    const pending = iterator.next();
    queue.fail(new Error('boom'));
    await expect(pending).rejects.toThrow('boom');
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
  });
});

describe('abortCause', () => {
  const tree = (options: { user: boolean; tree: boolean; remainingMs: number; timeoutMs?: number }) => {
    const user = new AbortController();
    const all = new AbortController();
    if (options.user) user.abort();
    if (options.tree) all.abort();
    return {
      userSignal: user.signal,
      signal: all.signal,
      budget: { remainingMs: () => options.remainingMs },
      settings: options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
    } as unknown as RunTree;
  };

  it('calls the deadline a timeout, even when it fired before a run\'s first check (a busy machine) or a millisecond early', () => {
    expect(abortCause(tree({ user: false, tree: true, remainingMs: -30, timeoutMs: 50 }))).toBe('timeout');
    expect(abortCause(tree({ user: false, tree: true, remainingMs: 1, timeoutMs: 50 }))).toBe('timeout');
  });

  it('calls the caller\'s abort an abort, also once the deadline has passed', () => {
    expect(abortCause(tree({ user: true, tree: true, remainingMs: -30, timeoutMs: 50 }))).toBe('aborted');
    expect(abortCause(tree({ user: true, tree: true, remainingMs: Infinity }))).toBe('aborted');
  });
});
