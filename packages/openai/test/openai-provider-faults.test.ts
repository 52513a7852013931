import { afterAll, describe, expect, it } from 'vitest';
import { ModelProviderError, RLMAbortError, createRLM, generateWithRetries } from '@rlms/core';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { useServer } from './server-fixture.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];
const { start, provider } = useServer();

async function failure(promise: Promise<unknown>): Promise<ModelProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ModelProviderError.isInstance(error), `expected a ModelProviderError, got ${String(error)}`).toBe(true);
  return error as ModelProviderError;
}

describe('OpenAIProvider classifies transient failures and does not retry them itself', () => {
  it('a 429: one request, retryable, retryAfterMs from retry-after (seconds)', async () => {
    const server = await start({ replies: ['after the limit'], faults: [{ type: 'rate-limit', retryAfterSeconds: 1 }] });
    const error = await failure(provider().generate({ messages }));
    expect(server.modelRequests).toHaveLength(1);
    expect([error.statusCode, error.code, error.retryable, error.retryAfterMs]).toEqual([429, 'rate-limit', true, 1_000]);
  });

  it('prefers retry-after-ms over retry-after', async () => {
    await start({ replies: ['ok'], faults: [{ type: 'rate-limit', retryAfterMs: 250, retryAfterSeconds: 30 }] });
    expect((await failure(provider().generate({ messages }))).retryAfterMs).toBe(250);
  });

  it.each([
    ['a 500', { type: 'server-error' } as const, 'server-error'],
    ['a dropped connection', { type: 'drop-connection' } as const, 'connection'],
    ['a truncated body', { type: 'truncated-stream' } as const, undefined],
  ])('%s: one request, a retryable error', async (_name, fault, code) => {
    const server = await start({ replies: ['never'], faults: [fault] });
    const error = await failure(provider().generate({ messages }));
    expect(server.modelRequests).toHaveLength(1);
    expect(error.retryable).toBe(true);
    if (code !== undefined) expect(error.code).toBe(code);
  });

  it('the deprecated maxRetries setting is ignored: still one request per call', async () => {
    const server = await start({ replies: ['never'], faultRules: [{ when: () => true, fault: { type: 'server-error' } }] });
    const error = await failure(provider({ maxRetries: 5 }).generate({ messages }));
    expect(server.modelRequests).toHaveLength(1);
    expect([error.statusCode, error.retryable]).toEqual([500, true]);
    expect(error.message).not.toContain('gave up');
  });

  it('obeys x-should-retry: false', async () => {
    const server = await start({
      replies: ['never'],
      faults: [{ type: 'http-error', status: 503, message: 'maintenance', headers: { 'x-should-retry': 'false' } }],
    });
    const error = await failure(provider().generate({ messages }));
    expect(error.retryable).toBe(false);
    expect(server.modelRequests).toHaveLength(1);
  });
});

describe('the engine retries OpenAIProvider calls: engine maxRetries + 1 requests, never multiplied', () => {
  const sandbox = createLocalSandbox();
  afterAll(() => sandbox.close?.());
  const FAST = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

  it('transient failures that pass are retried by the engine and the run completes', async () => {
    const server = await start({ replies: ['recovered'], faults: [{ type: 'rate-limit', retryAfterMs: 1 }, { type: 'server-error' }, { type: 'drop-connection' }] });
    const rlm = createRLM({ model: provider(), sandbox, maxRetries: 3, ...FAST });
    const result = await rlm.query({ context: 'c', question: 'q', mode: 'direct' });
    expect([result.status, result.answer]).toEqual(['completed', 'recovered']);
    expect(server.modelRequests).toHaveLength(4);
    expect(server.modelRequests.map((request) => request.status).slice(0, 2).concat(server.modelRequests.at(-1)?.status)).toEqual([429, 500, 200]);
  });

  it.each([0, 2])('endless 500s with engine maxRetries %i: exactly maxRetries + 1 requests, whatever the provider setting', async (maxRetries) => {
    const server = await start({ replies: ['never'], faultRules: [{ when: () => true, fault: { type: 'server-error' } }] });
    const rlm = createRLM({ model: provider({ maxRetries: 3 }), sandbox, maxRetries, ...FAST });
    const result = await rlm.query({ context: 'c', question: 'q', mode: 'direct' });
    expect(result.status).toBe('error');
    expect((result.error as ModelProviderError).statusCode).toBe(500);
    expect(server.modelRequests).toHaveLength(maxRetries + 1);
  });

  it('a hung server: each request is cut at timeoutMs and retried by the engine, then a timeout error', async () => {
    const server = await start({ replies: ['never'], faultRules: [{ when: () => true, fault: { type: 'hang' } }] });
    const rlm = createRLM({ model: provider({ timeoutMs: 150 }), sandbox, maxRetries: 1, ...FAST });
    const result = await rlm.query({ context: 'c', question: 'q', mode: 'direct' });
    const error = result.error as ModelProviderError;
    expect([result.status, error.code, error.retryable]).toEqual(['error', 'timeout', true]);
    expect(error.message).toContain('timed out after 150 ms');
    expect(server.modelRequests).toHaveLength(2);
  });
});

describe('OpenAIProvider fails fast with typed errors', () => {
  it('401: a wrong key fails at once, exactly one request, message says what to check', async () => {
    const server = await start({ replies: ['never'], apiKey: 'right-key' });
    const error = await failure(provider({ apiKey: 'wrong-key' }).generate({ messages }));
    expect(server.modelRequests).toHaveLength(1);
    expect(error.statusCode).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('authentication');
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).toContain('apiKey');
  });

  it('404: an unknown model fails at once and names the model and what to check', async () => {
    const server = await start({ replies: ['never'], models: ['served-model'], rejectUnknownModels: true });
    const error = await failure(provider({ model: 'typo-model' }).generate({ messages }));
    expect(server.modelRequests).toHaveLength(1);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('not-found');
    expect(error.message).toContain('typo-model');
    expect(error.message).toContain('model name');
    expect(error.message).toContain('baseURL');
  });

  it('400: a rejected request is not retried and carries the server message', async () => {
    const server = await start({
      replies: ['never'],
      faults: [{ type: 'http-error', status: 400, message: "Unsupported parameter: 'temperature'" }],
    });
    const error = await failure(provider().generate({ messages, temperature: 0.5 }));
    expect(server.modelRequests).toHaveLength(1);
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain("Unsupported parameter: 'temperature'");
  });

  it('400 for a prompt longer than the window: code context-length (the engine compacts and tries again)', async () => {
    await start({
      replies: ['never'],
      faults: [{ type: 'http-error', status: 400, code: 'context_length_exceeded', message: "This model's maximum context length is 4096 tokens. However, your messages resulted in 5210 tokens." }],
    });
    const error = await failure(provider().generate({ messages }));
    expect([error.code, error.retryable]).toEqual(['context-length', false]);
    expect(error.message).toContain('maximum context length is 4096');
  });

  it('malformed JSON gives a typed invalid-response error, not retried', async () => {
    const server = await start({ replies: ['never'], faults: [{ type: 'malformed-json' }] });
    const error = await failure(provider().generate({ messages }));
    expect(error.code).toBe('invalid-response');
    expect(error.message).toContain('not valid JSON');
    expect(server.modelRequests).toHaveLength(1);
  });

  it('a 200 body that is not a completion gives a typed invalid-response error', async () => {
    await start({ replies: ['never'], faults: [{ type: 'http-error', status: 200, message: 'this is no completion' }] });
    const error = await failure(provider().generate({ messages }));
    expect(error.code).toBe('invalid-response');
    expect(error.message).toContain('choices');
    expect(error.message).toContain('baseURL');
  });

  it('a hung server is cut by timeoutMs and reported as a retryable timeout', async () => {
    const server = await start({ replies: ['never'], faultRules: [{ when: () => true, fault: { type: 'hang' } }] });
    const error = await failure(provider({ timeoutMs: 150 }).generate({ messages }));
    expect([error.code, error.retryable]).toEqual(['timeout', true]);
    expect(error.message).toContain('timed out after 150 ms');
    expect(server.modelRequests).toHaveLength(1);
  });

  it('an unreachable server gives a typed connection error', async () => {
    const server = await start();
    const baseURL = server.baseURL;
    await server.close();
    const error = await failure(provider({ baseURL }).generate({ messages }));
    expect(error.code).toBe('connection');
    expect(error.message).toContain(baseURL);
  });
});

describe('OpenAIProvider aborts', () => {
  it('rejects promptly with an AbortError when aborted mid-request', async () => {
    const server = await start({ replies: ['never'], faults: [{ type: 'hang' }] });
    const controller = new AbortController();
    const pending = provider().generate({ messages, abortSignal: controller.signal });
    while (server.modelRequests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(RLMAbortError.isInstance(error)).toBe(true);
    expect((error as Error).name).toBe('AbortError');
    expect(server.modelRequests).toHaveLength(1);
  });

  it('rejects with an AbortError when the engine is aborted while waiting to retry', async () => {
    // The server asks for an hour's wait and the engine honours it: the abort must cut it short.
    const server = await start({ replies: ['never'], faults: [{ type: 'rate-limit', retryAfterSeconds: 3_600 }] });
    const controller = new AbortController();
    const pending = generateWithRetries(provider(), { messages, abortSignal: controller.signal }, { maxRetries: 1, maxDelayMs: 3_600_000 });
    while (server.modelRequests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(server.modelRequests).toHaveLength(1);
  });
});
