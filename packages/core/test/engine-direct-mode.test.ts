/**
 * `mode: 'direct'`: one plain model call with the whole context in the prompt, run by the engine on
 * the same run tree as an RLM run (budget, timeout, abort, cache, usage, events, trajectory, telemetry).
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  DIRECT_SYSTEM_PROMPT,
  buildDirectMessages,
  createMemoryCache,
  createRLM,
  renderContext,
  type RLMEvent,
  type SandboxProviderV1,
} from '../src/index.js';
import { MockModel } from '../src/testing/index.js';

/** A sandbox that counts sessions: a direct run must open none. */
function countingSandbox(): SandboxProviderV1 & { sessions: number } {
  const sandbox = {
    specificationVersion: 'rlms-sandbox-v1' as const,
    name: 'counting',
    capabilities: { isolation: 'none' as const, network: false, nativePackages: false, subprocess: false, interrupt: false, threads: false },
    sessions: 0,
    createSession: () => {
      sandbox.sessions++;
      return Promise.reject(new Error('a direct run opened a sandbox session'));
    },
  };
  return sandbox;
}

const DOCS = { 'a.md': 'alpha beta', 'b.md': 'gamma' };

describe('direct runs in the engine', () => {
  it('answers with one call over the rendered context, opens no sandbox, records the mode', async () => {
    const sandbox = countingSandbox();
    const model = new MockModel({ replies: [{ text: '  gamma is in b.md  ', usage: { inputTokens: 40, outputTokens: 5 } }] });
    const events: RLMEvent[] = [];
    const rlm = createRLM({ model, sandbox, pricing: { 'mock-model': { inputPerMillion: 1, outputPerMillion: 2 } } });
    const result = await rlm.query({ context: DOCS, question: 'Where is gamma?', mode: 'direct', onEvent: (event) => events.push(event) });
    expect(sandbox.sessions).toBe(0);
    expect([result.status, result.answer, result.iterations, result.subcalls]).toEqual(['completed', 'gamma is in b.md', 1, 0]);
    expect(result.usage.total).toMatchObject({ calls: 1, inputTokens: 40, outputTokens: 5 });
    expect(result.costUsd).toBeCloseTo((40 + 10) / 1_000_000, 12);
    expect(model.calls[0]!.messages).toEqual(buildDirectMessages(renderContext(DOCS), 'Where is gamma?'));
    expect(model.calls[0]!.system).toBe(DIRECT_SYSTEM_PROMPT);
    expect(events.map((event) => event.type)).toEqual(['run-start', 'iteration-start', 'model-response', 'run-end']);
    expect(events[0]).toMatchObject({ type: 'run-start', mode: 'direct', depth: 0, question: 'Where is gamma?' });
    const { trajectory } = result;
    expect([trajectory.mode, trajectory.sandbox, trajectory.systemPrompt, trajectory.steps.length]).toEqual(['direct', 'none', DIRECT_SYSTEM_PROMPT, 1]);
    expect(trajectory.steps[0]!.action).toMatchObject({ response: '  gamma is in b.md  ', code: [] });
    expect(trajectory.context.value).toEqual(DOCS);
    expect(trajectory.result).toMatchObject({ status: 'completed', answer: 'gamma is in b.md', iterations: 1 });
  });

  it('an RLM run records mode "rlm" on run-start and in the trajectory', async () => {
    const events: RLMEvent[] = [];
    const model = new MockModel({ replies: ['FINAL(ok)'] });
    const result = await createRLM({ model, sandbox: countingSandbox() }).query({ context: 'c', question: 'q', onEvent: (event) => events.push(event) });
    expect(events[0]).toMatchObject({ type: 'run-start', mode: 'rlm' });
    expect(result.trajectory.mode).toBe('rlm');
  });

  it('renders a raw payload as its text', async () => {
    const model = new MockModel({ replies: ['ok'] });
    await createRLM({ model, sandbox: countingSandbox() }).query({ context: { format: 'text', bytes: new TextEncoder().encode('raw text') }, question: 'q', mode: 'direct' });
    expect(model.calls[0]!.prompt).toBe('Context:\n\nraw text\n\nQuestion: q');
  });

  it('a prompt alone past maxTotalTokens or maxCostUsd is not sent: budget_exhausted, no closing call', async () => {
    for (const limits of [{ maxTotalTokens: 10 }, { maxCostUsd: 0.000001, pricing: { 'mock-model': { inputPerMillion: 10, outputPerMillion: 10 } } }]) {
      const model = new MockModel({ replies: ['never'] });
      const events: RLMEvent[] = [];
      const result = await createRLM({ model, sandbox: countingSandbox(), ...limits }).query({ context: 'word '.repeat(200), question: 'q', mode: 'direct', onEvent: (event) => events.push(event) });
      expect(result.status, JSON.stringify(limits)).toBe('budget_exhausted');
      expect(result.statusDetail).toMatch(/would be exceeded by the next prompt alone/);
      expect([model.calls.length, result.iterations, result.trajectory.steps.length]).toEqual([0, 0, 0]);
      expect(events.map((event) => event.type)).toEqual(['run-start', 'iteration-start', 'budget-exhausted', 'run-end']);
    }
  });

  it('ends with timeout at timeoutMs and aborted on abort, and reports a failing model as error', async () => {
    // The model would take an hour: reaching the assertions shows the limit and the abort ended the calls.
    const slow = () => new MockModel({ delayMs: 3_600_000, replies: ['late'] });
    const timedOut = await createRLM({ model: slow(), sandbox: countingSandbox(), timeoutMs: 50 }).query({ context: 'c', question: 'q', mode: 'direct' });
    expect([timedOut.status, timedOut.statusDetail]).toEqual(['timeout', 'the time limit (50 ms) was reached']);
    const controller = new AbortController();
    const pending = createRLM({ model: slow(), sandbox: countingSandbox() }).query({ context: 'c', question: 'q', mode: 'direct', abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await pending).status).toBe('aborted');
    const failed = await createRLM({ model: new MockModel({ replies: [new Error('model exploded')] }), sandbox: countingSandbox() }).query({ context: 'c', question: 'q', mode: 'direct' });
    expect([failed.status, failed.error?.message, failed.trajectory.result?.error]).toEqual(['error', 'model exploded', 'Error: model exploded']);
  });

  it('serves a repeated direct call from the cache', async () => {
    const model = new MockModel({ replies: ['cached answer'] });
    const rlm = createRLM({ model, sandbox: countingSandbox(), cache: createMemoryCache() });
    await rlm.query({ context: DOCS, question: 'q', mode: 'direct' });
    const second = await rlm.query({ context: DOCS, question: 'q', mode: 'direct' });
    expect([second.answer, second.cacheHits, second.usage.total.calls, model.calls.length]).toEqual(['cached answer', 1, 0, 1]);
  });

  it('refuses an unknown mode, a schema with mode "direct", and a direct session turn', async () => {
    const rlm = createRLM({ model: new MockModel({ replies: [] }), sandbox: countingSandbox() });
    await expect(rlm.query({ context: 'c', question: 'q', mode: 'auto' as never })).rejects.toThrow(ConfigurationError);
    await expect(rlm.query({ context: 'c', question: 'q', mode: 'direct', schema: { type: 'object' } })).rejects.toThrow(/A `schema` needs an RLM run/);
    const session = rlm.session({ context: 'c' });
    await expect(session.query({ question: 'q', mode: 'direct' } as never)).rejects.toThrow(/A session turn is an RLM run/);
    await session.close();
  });
});
