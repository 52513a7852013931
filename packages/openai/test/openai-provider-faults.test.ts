import { describe, expect, it } from 'vitest';
import { ModelProviderError, RLMAbortError } from '@rlms/core';
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

describe('OpenAIProvider retries transient failures', () => {
  it('retries a 429 after the wait retry-after asks for (seconds)', async () => {
    const server = await start({ replies: ['after the limit'], faults: [{ type: 'rate-limit', retryAfterSeconds: 1 }] });
    const response = await provider().generate({ messages });
    expect(response.text).toBe('after the limit');
    const [limited, retried] = server.modelRequests;
    expect(server.modelRequests).toHaveLength(2);
    expect(limited?.status).toBe(429);
    // Lower bound only: the provider waited (about) the second the server asked for.
    expect(retried!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('prefers retry-after-ms over retry-after', async () => {
    const server = await start({
      replies: ['ok'],
      faults: [{ type: 'rate-limit', retryAfterMs: 250, retryAfterSeconds: 30 }],
    });
    await provider().generate({ messages });
    const [limited, retried] = server.modelRequests;
    expect(retried!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(240);
  });

  it('retries a 500 then succeeds', async () => {
    const server = await start({ replies: ['recovered'], faults: [{ type: 'server-error' }] });
    expect((await provider().generate({ messages })).text).toBe('recovered');
    expect(server.modelRequests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('retries a dropped connection then succeeds', async () => {
    const server = await start({ replies: ['reconnected'], faults: [{ type: 'drop-connection' }] });
    expect((await provider().generate({ messages })).text).toBe('reconnected');
    expect(server.modelRequests).toHaveLength(2);
  });

  it('retries a truncated body then succeeds', async () => {
    const server = await start({ replies: ['whole'], faults: [{ type: 'truncated-stream' }] });
    expect((await provider().generate({ messages })).text).toBe('whole');
    expect(server.modelRequests).toHaveLength(2);
  });

  it('gives up after maxRetries + 1 attempts and says so', async () => {
    const server = await start({ replies: ['never'], faultRules: [{ when: () => true, fault: { type: 'server-error' } }] });
    const error = await failure(provider({ maxRetries: 2 }).generate({ messages }));
    expect(server.modelRequests).toHaveLength(3);
    expect(error.statusCode).toBe(500);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('gave up after 3 attempts');
    expect(error.message).toContain('maxRetries is 2');
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

  it('a hung server is cut by timeoutMs, retried, then reported as a timeout', async () => {
    const server = await start({ replies: ['never'], faultRules: [{ when: () => true, fault: { type: 'hang' } }] });
    const error = await failure(provider({ timeoutMs: 150, maxRetries: 1 }).generate({ messages }));
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('timed out after 150 ms');
    expect(error.message).toContain('gave up after 2 attempts');
    expect(server.modelRequests).toHaveLength(2);
  });

  it('an unreachable server gives a typed connection error', async () => {
    const server = await start();
    const baseURL = server.baseURL;
    await server.close();
    const error = await failure(provider({ baseURL, maxRetries: 0 }).generate({ messages }));
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

  it('rejects with an AbortError when aborted while waiting to retry', async () => {
    const server = await start({ replies: ['never'], faults: [{ type: 'rate-limit', retryAfterSeconds: 30 }] });
    const controller = new AbortController();
    const pending = provider().generate({ messages, abortSignal: controller.signal });
    while (server.modelRequests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(server.modelRequests).toHaveLength(1);
  });
});
