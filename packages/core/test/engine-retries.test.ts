/**
 * The engine is the one owner of retries: providers classify errors (`retryable`, `retryAfterMs`)
 * and make one attempt per call; a call makes at most `maxRetries + 1` attempts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, ModelProviderError, RLMAbortError, RLMEventNarrator, createRLM, describeRLMEvent, generateWithRetries, type ModelRetryEvent, type RLMEvent } from '../src/index.js';
import { DEFAULT_MODEL_RETRY_POLICY, retryDelayMs } from '../src/engine/model/model-retry.js';
import { MockModel } from '../src/testing/index.js';
// The local sandbox is a sibling workspace package; importing its source keeps core free of a dependency cycle.
import { createLocalSandbox } from '../../sandbox-local/src/index.js';

const sandbox = createLocalSandbox();
afterAll(() => sandbox.close?.());

const FINAL = '```repl\nFINAL("done")\n```';
const busy = (retryAfterMs?: number) =>
  new ModelProviderError('503 busy', { provider: 'mock', modelId: 'mock-model', statusCode: 503, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const denied = () => new ModelProviderError('401 bad key', { provider: 'mock', modelId: 'mock-model', statusCode: 401, retryable: false });
/** Retries without production backoff: tests must not wait. */
const FAST = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

describe('the engine retries retryable model errors', () => {
  it('retries until the call succeeds, within maxRetries', async () => {
    const model = new MockModel({ replies: [busy(), busy(), busy(), FINAL] });
    const result = await createRLM({ model, sandbox, maxRetries: 3, ...FAST }).query({ context: 'c', question: 'q' });
    expect([result.status, result.answer]).toEqual(['completed', 'done']);
    expect(model.calls).toHaveLength(4);
    expect(result.usage.total.calls).toBe(1); // failed attempts cost nothing
  });

  it('makes exactly maxRetries + 1 attempts, then ends the run with the provider error', async () => {
    for (const maxRetries of [0, 1, 4]) {
      const model = new MockModel({ replies: () => busy() });
      const result = await createRLM({ model, sandbox, maxRetries, ...FAST }).query({ context: 'c', question: 'q' });
      expect(result.status).toBe('error');
      expect(ModelProviderError.isInstance(result.error)).toBe(true);
      expect((result.error as ModelProviderError).statusCode).toBe(503);
      expect(model.calls, `maxRetries ${maxRetries}`).toHaveLength(maxRetries + 1);
    }
  });

  it('does not retry a non-retryable error, nor an error that is not a ModelProviderError', async () => {
    for (const error of [denied(), new Error('plain failure')]) {
      const model = new MockModel({ replies: [error, FINAL] });
      const result = await createRLM({ model, sandbox, maxRetries: 3, ...FAST }).query({ context: 'c', question: 'q' });
      expect(result.status).toBe('error');
      expect(result.error?.message).toBe(error.message);
      expect(model.calls).toHaveLength(1);
    }
  });

  it('retries sub-calls the same way (attempts per sub-call, not multiplied)', async () => {
    const root = new MockModel({ replies: ['```repl\nx = llm_query("ping")\nFINAL(x)\n```'] });
    const sub = new MockModel({ replies: [busy(), busy(), 'pong'] });
    const result = await createRLM({ model: root, subModel: sub, sandbox, maxRetries: 2, ...FAST }).query({ context: 'c', question: 'q' });
    expect([result.status, result.answer, sub.calls.length]).toEqual(['completed', 'pong', 3]);
  });

  it('announces each retry as a model-retry event before its wait, for root calls and sub-calls', async () => {
    const root = new MockModel({ replies: [busy(3), '```repl\nx = llm_query("ping")\nFINAL(x)\n```'] });
    const sub = new MockModel({ replies: [busy(4), busy(2), 'pong'] });
    const events: RLMEvent[] = [];
    const result = await createRLM({ model: root, subModel: sub, sandbox, maxRetries: 2, ...FAST }).query({ context: 'c', question: 'q', onEvent: (event) => events.push(event) });
    expect([result.status, result.answer]).toEqual(['completed', 'pong']);
    const retries = events.filter((event): event is ModelRetryEvent => event.type === 'model-retry');
    const subcall = events.find((event) => event.type === 'subcall-start');
    const runId = events[0]?.runId;
    expect(retries.map(({ runId, depth, model, subcallId, retry, maxRetries, delayMs, statusCode, error }) => ({ runId, depth, model, subcallId, retry, maxRetries, delayMs, statusCode, error }))).toEqual([
      { runId, depth: 0, model: 'mock:mock-model', subcallId: undefined, retry: 1, maxRetries: 2, delayMs: 3, statusCode: 503, error: '503 busy' },
      { runId, depth: 0, model: 'mock:mock-model', subcallId: subcall?.type === 'subcall-start' ? subcall.subcallId : 'missing', retry: 1, maxRetries: 2, delayMs: 4, statusCode: 503, error: '503 busy' },
      { runId, depth: 0, model: 'mock:mock-model', subcallId: subcall?.type === 'subcall-start' ? subcall.subcallId : 'missing', retry: 2, maxRetries: 2, delayMs: 2, statusCode: 503, error: '503 busy' },
    ]);
    // Announced before the wait: the root call's retry comes before the reply it led to.
    expect(events.findIndex((event) => event.type === 'model-retry')).toBeLessThan(events.findIndex((event) => event.type === 'model-response'));
    expect(describeRLMEvent(retries[0]!)).toBe('The root model (mock:mock-model) failed (503 busy); retry 1 of 2 in 3 ms.');
    expect(describeRLMEvent(retries[1]!, { errorMessages: false })).toBe('Sub-call to mock:mock-model failed (HTTP 503); retry 1 of 2 in 4 ms.');
  });

  it('words a rate-limited batch as one retry line and a count at its end', async () => {
    const root = new MockModel({ replies: ['```repl\nxs = llm_query_batched(["a", "b", "c"])\nFINAL(",".join(xs))\n```'] });
    // Every prompt fails once, then answers with its own text.
    const seen = new Set<string>();
    const sub = new MockModel({
      replies: (call) => {
        if (seen.has(call.prompt)) return call.prompt.toUpperCase();
        seen.add(call.prompt);
        return busy(1);
      },
    });
    const narrator = new RLMEventNarrator();
    const lines: string[] = [];
    const result = await createRLM({ model: root, subModel: sub, sandbox, maxRetries: 1, ...FAST }).query({
      context: 'c',
      question: 'q',
      onEvent: (event) => {
        const line = narrator.describe(event);
        if (line !== undefined) lines.push(line);
      },
    });
    expect([result.status, result.answer]).toEqual(['completed', 'A,B,C']);
    expect(lines.filter((line) => line.includes('; retry '))).toEqual(['Sub-call to mock:mock-model failed (503 busy); retry 1 of 1 in 1 ms.']);
    expect(lines.some((line) => /^3 sub-calls to mock:mock-model finished in .+ \(3 retries\)\.$/.test(line)), lines.join('\n')).toBe(true);
  });

  it('caps a backend-given wait at retryMaxDelayMs', async () => {
    // The backend asks for an hour: reaching the assertions at all shows the cap applied.
    const model = new MockModel({ replies: [busy(3_600_000), FINAL] });
    const result = await createRLM({ model, sandbox, maxRetries: 1, retryMaxDelayMs: 1 }).query({ context: 'c', question: 'q' });
    expect([result.status, model.calls.length]).toEqual(['completed', 2]);
  });

  it('an abort while waiting to retry ends the run at once with status aborted', async () => {
    // An hour's wait, honoured up to an hour: reaching the assertions shows the abort cut it short.
    const model = new MockModel({ replies: [busy(3_600_000), FINAL] });
    const controller = new AbortController();
    const rlm = createRLM({ model, sandbox, maxRetries: 1, retryMaxDelayMs: 3_600_000 });
    const pending = rlm.query({ context: 'c', question: 'q', abortSignal: controller.signal });
    while (model.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const result = await pending;
    expect([result.status, model.calls.length]).toEqual(['aborted', 1]);
  });

  it('refuses invalid retry settings with ConfigurationError', () => {
    for (const settings of [{ maxRetries: -1 }, { maxRetries: 1.5 }, { retryBaseDelayMs: -1 }, { retryMaxDelayMs: Number.NaN }]) {
      expect(() => createRLM({ model: new MockModel({ replies: [] }), sandbox, ...settings }), JSON.stringify(settings)).toThrow(ConfigurationError);
    }
  });
});

describe('retryDelayMs', () => {
  const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('backs off exponentially with equal jitter, capped at maxDelayMs', () => {
    expect(retryDelayMs(0, policy, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(0, policy, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(2, policy, undefined, () => 0)).toBe(200);
    expect(retryDelayMs(10, policy, undefined, () => 1)).toBe(1_000);
  });

  it('uses the backend-given wait, capped at maxDelayMs, never negative', () => {
    expect(retryDelayMs(0, policy, 300)).toBe(300);
    expect(retryDelayMs(0, policy, 60_000)).toBe(1_000);
    expect(retryDelayMs(0, policy, -5)).toBe(0);
  });

  it('has the engine defaults', () => {
    expect(DEFAULT_MODEL_RETRY_POLICY).toEqual({ maxRetries: 2, baseDelayMs: 500, maxDelayMs: 60_000 });
  });
});

describe('generateWithRetries (calls outside a run)', () => {
  const messages = [{ role: 'user' as const, content: 'hi' }];

  it('runs the same loop: maxRetries + 1 attempts at most', async () => {
    const recovering = new MockModel({ replies: [busy(0), 'hello'] });
    expect((await generateWithRetries(recovering, { messages }, { maxRetries: 1 })).text).toBe('hello');
    const failing = new MockModel({ replies: () => busy(0) });
    await expect(generateWithRetries(failing, { messages }, { maxRetries: 2 })).rejects.toThrow('503 busy');
    expect(failing.calls).toHaveLength(3);
  });

  it('rejects with RLMAbortError on abort, and ConfigurationError for a bad policy', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await generateWithRetries(new MockModel({ replies: ['never'] }), { messages, abortSignal: controller.signal }).catch((caught: unknown) => caught);
    expect(RLMAbortError.isInstance(error)).toBe(true);
    await expect(generateWithRetries(new MockModel({ replies: ['never'] }), { messages }, { maxRetries: Number.NaN })).rejects.toThrow(ConfigurationError);
  });
});
