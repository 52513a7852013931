import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ModelProviderError } from '@rlms/core';
import { useServer } from './server-fixture.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];
const { start, provider } = useServer();
const KEY = 'upstream-secret-key-0123456789';

async function failure(promise: Promise<unknown>): Promise<ModelProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ModelProviderError.isInstance(error), `expected a ModelProviderError, got ${String(error)}`).toBe(true);
  return error as ModelProviderError;
}

/** Everything a log line or a saved file could show of an error: message, cause chain, own fields. */
function everything(error: unknown): string {
  return `${String((error as Error).message)}\n${inspect(error, { depth: 8 })}\n${JSON.stringify(error)}`;
}

describe('OpenAIProvider keeps keys out of its errors', () => {
  it('redacts the configured API key an upstream echoes back, in the message and the cause', async () => {
    await start({
      faultRules: [{ when: () => true, fault: { type: 'http-error', status: 401, message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.example/account.` } }],
    });
    const error = await failure(provider({ apiKey: KEY }).generate({ messages }));
    expect(error.statusCode).toBe(401);
    expect(error.code).toBe('authentication');
    expect(error.message).toContain('rejected the API key (401): Incorrect API key provided: [REDACTED].');
    expect(everything(error)).not.toContain(KEY);
    // The cause keeps what is safe to inspect.
    expect((error.cause as { status?: number }).status).toBe(401);
  });

  it('redacts common key shapes and credentials an upstream or proxy puts in its error text', async () => {
    const leaked = 'sk-proj-LeakedKeyOfSomeoneElse0123456789';
    await start({
      faultRules: [
        {
          when: () => true,
          fault: { type: 'http-error', status: 400, message: `bad request to https://admin:hunter2@10.0.0.5:8000/v1?api_key=zzz999zzz (key ${leaked}, Authorization: Bearer ${KEY}x)` },
        },
      ],
    });
    const error = await failure(provider({}).generate({ messages }));
    const shown = everything(error);
    for (const secret of [leaked, 'hunter2', 'zzz999zzz', `${KEY}x`]) expect(shown).not.toContain(secret);
    expect(error.message).toContain('https://[REDACTED]@10.0.0.5:8000/v1?api_key=[REDACTED]');
  });

  it('redacts secret header values and credentials in the base URL', async () => {
    const server = await start({ faultRules: [{ when: () => true, fault: { type: 'http-error', status: 403, message: 'header api-key=azure-secret-value-1 not allowed' } }] });
    const denied = await failure(provider({ headers: { 'api-key': 'azure-secret-value-1' } }).generate({ messages }));
    expect(denied.message).toContain('denied access (403)');
    expect(everything(denied)).not.toContain('azure-secret-value-1');
    // fetch refuses a URL with credentials; the error that says so must not repeat them.
    const withCredentials = server.baseURL.replace('http://', 'http://svc:url-password-1@');
    const refused = await failure(provider({ baseURL: withCredentials }).generate({ messages }));
    expect(refused.message).toContain('http://[REDACTED]@127.0.0.1');
    expect(everything(refused)).not.toContain('url-password-1');
  });

  it('redacts a retryable server error and stream errors too', async () => {
    await start({ faultRules: [{ when: () => true, fault: { type: 'server-error', message: `upstream for key ${KEY} is down` } }] });
    const error = await failure(provider({ apiKey: KEY }).generate({ messages }));
    expect([error.statusCode, error.retryable]).toEqual([500, true]);
    expect(everything(error)).not.toContain(KEY);
    const streamed = await (async () => {
      try {
        for await (const _part of provider({ apiKey: KEY }).stream({ messages })) {
          // no parts: the request fails
        }
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(ModelProviderError.isInstance(streamed)).toBe(true);
    expect(everything(streamed)).not.toContain(KEY);
  });
});
