import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, startFixture, waitFor, type Fixture } from './server-fixture.js';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  if (fixture !== undefined) expect(fixture.sandbox.live).toBe(0);
  fixture = undefined;
});

const body = (question: string, stream = false) =>
  JSON.stringify({ model: 'rlm', stream, messages: [{ role: 'user', content: question }] });

const post = (f: Fixture, payload: string, signal?: AbortSignal) =>
  fetch(`${f.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: payload,
    ...(signal === undefined ? {} : { signal }),
  });

describe('run lifecycle', () => {
  it('aborts the run and frees its sandbox when a streaming client disconnects mid-run', async () => {
    fixture = await startFixture({ blockSubcalls: true });
    const f = fixture;
    const controller = new AbortController();
    const response = await post(f, body('long question', true), controller.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read(); // the role chunk (or a progress comment): the stream is live
    // The run's Python session is up and waiting in llm_query on the blocked sub-model.
    await waitFor('the sub-call to start', () => f.sub.inFlight === 1);
    expect(f.sandbox.live).toBe(1);
    controller.abort();
    await waitFor('the run to end', () => f.results.length === 1);
    expect(f.results[0]!.status).toBe('aborted');
    await waitFor('the sandbox session to be destroyed', () => f.sandbox.live === 0);
    expect(f.sandbox.created).toBe(1);
    await waitFor('the slot to be released', () => f.server.activeRuns === 0);
    expect(f.gate.isOpen).toBe(false); // nothing but the disconnect ended the run
  });

  it('runs two requests at once and answers 429 with retry-after beyond --max-concurrency', async () => {
    fixture = await startFixture({ blockSubcalls: true, server: { maxConcurrentRuns: 2, retryAfterSeconds: 3 } });
    const f = fixture;
    const first = post(f, body('first'));
    const second = post(f, body('second'));
    await waitFor('both runs to be inside their sub-call', () => f.sub.inFlight === 2);
    const third = await post(f, body('third'));
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('3');
    expect(((await third.json()) as { error: unknown }).error).toMatchObject({ type: 'rate_limit_error', code: 'concurrency_limit' });
    // The openai client sees a RateLimitError (its own retries disabled).
    const client = new OpenAI({ baseURL: f.baseURL, apiKey: API_KEY, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'rlm', messages: [{ role: 'user', content: 'fourth' }] })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
    f.gate.open();
    const answers = await Promise.all([first, second].map(async (pending) => (await pending).json() as Promise<{ choices: Array<{ message: { content: string } }> }>));
    expect(answers.map((answer) => answer.choices[0]!.message.content)).toEqual([
      "docs=['conversation'] chars=11 sub=OK",
      "docs=['conversation'] chars=12 sub=OK",
    ]);
    expect(f.sub.maxInFlight).toBe(2);
    expect(f.sandbox.created).toBe(2);
    // Slots are free again.
    const after = await post(f, body('fifth'));
    expect(after.status).toBe(200);
  });

  it('shuts down gracefully: lets a run finish within the grace period and refuses new requests', async () => {
    fixture = await startFixture({ blockSubcalls: true });
    const f = fixture;
    const running = post(f, body('slow'));
    await waitFor('the run to be inside its sub-call', () => f.sub.inFlight === 1);
    const closed = f.server.close({ graceMs: 30_000 });
    const health = await fetch(`${f.url}/health`).catch(() => undefined);
    // The listener is closed: new connections are refused (or, on a kept-alive one, answered 503).
    if (health !== undefined) expect(health.status).toBe(503);
    f.gate.open();
    const response = await running;
    expect(response.status).toBe(200);
    await closed;
    expect(f.results[0]!.status).toBe('completed');
    expect(f.sandbox.live).toBe(0);
  });

  it('aborts runs still going after the grace period and tells their clients', async () => {
    fixture = await startFixture({ blockSubcalls: true });
    const f = fixture;
    const plain = post(f, body('plain'));
    const streamed = post(f, body('streamed', true));
    await waitFor('both runs to be inside their sub-call', () => f.sub.inFlight === 2);
    await f.server.close({ graceMs: 50 });
    expect(f.results.map((result) => result.status)).toEqual(['aborted', 'aborted']);
    expect(f.sandbox.live).toBe(0);
    const plainResponse = await plain;
    expect(plainResponse.status).toBe(503);
    expect(((await plainResponse.json()) as { error: unknown }).error).toMatchObject({ code: 'server_shutting_down' });
    const text = await (await streamed).text();
    expect(text).toContain('"code":"server_shutting_down"');
    expect(text).not.toContain('[DONE]');
    expect(f.gate.isOpen).toBe(false);
  });
});
