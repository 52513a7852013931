import { ConfigurationError, ModelProviderError, type RLMResult } from '@rlms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { clientStatusDetail } from '../src/client-errors.js';
import { createRLMServer, type RLMServerSettings, type ServableRLM, type ServerLogEntry } from '../src/index.js';
import { SchemaValidationPool } from '../src/schema-validation-pool.js';
import { API_KEY, startFixture, type Fixture } from './server-fixture.js';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  if (fixture !== undefined) expect(fixture.sandbox.live).toBe(0);
  fixture = undefined;
});

const post = (baseURL: string, body: unknown) =>
  fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const withSchema = (schema: unknown) => ({
  model: 'rlm',
  messages: [{ role: 'user', content: 'hi' }],
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } },
});

describe('response_format schemas are held to the server limits before a run slot is taken', () => {
  it('answers 400 naming the limit and the flag that raises it', async () => {
    fixture = await startFixture({ server: { maxSchemaBytes: 2_000, maxSchemaDepth: 4, maxSchemaSubschemas: 50 } });
    let deep: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 6; level++) deep = { type: 'array', items: deep };
    const cases: Array<[unknown, string, RegExp]> = [
      [{ type: 'string', description: 'x'.repeat(3_000) }, 'schema_too_large', /more than 2,000 bytes .*--max-schema-size \(maxSchemaBytes\)/],
      [deep, 'schema_too_deep', /more than 4 levels .*--max-schema-depth \(maxSchemaDepth\)/],
      [{ anyOf: Array.from({ length: 60 }, (_, index) => ({ const: index })) }, 'schema_too_complex', /more than 50 subschemas .*--max-schema-subschemas/],
      [{ $ref: '#/$defs/missing' }, 'invalid_schema', /points at nothing/],
      [{ type: 'string', pattern: '(' }, 'invalid_schema', /not a valid regular expression/],
    ];
    for (const [schema, code, message] of cases) {
      const response = await post(fixture.baseURL, withSchema(schema));
      expect(response.status, code).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; param: string; message: string } };
      expect(error.code).toBe(code);
      expect(error.param).toBe('response_format.json_schema.schema');
      expect(error.message).toMatch(message);
    }
    expect(fixture.root.calls).toHaveLength(0);
    expect(fixture.sandbox.created).toBe(0);
  });
});

describe('SchemaValidationPool (answer checks off the main thread)', () => {
  it('stops a check past its time limit, tells the model, and keeps checking with fresh workers', async () => {
    const problems: string[] = [];
    const schema = { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } };
    const hostile = { s: `${'a'.repeat(48)}!` };
    // A tiny limit for the check that cannot finish (2^48 backtracking steps), a generous one for the rest.
    const strict = new SchemaValidationPool({ timeoutMs: 200, heapMiB: 64, maxIdle: 1, limits: {}, onProblem: (message) => problems.push(message) });
    const pool = new SchemaValidationPool({ timeoutMs: 60_000, heapMiB: 64, maxIdle: 1, limits: {} });
    try {
      expect(await strict.validate(schema, hostile)).toEqual([
        expect.stringMatching(/could not be checked against the schema: the check took longer than 200 ms; return a smaller or simpler value/),
      ]);
      expect(problems).toEqual(['the check took longer than 200 ms']);
      expect(strict.running).toBe(0);
      expect(await pool.validate(schema, { s: 'aaa' })).toEqual([]);
      expect(await pool.validate(schema, { s: 'b' })).toEqual(['s: must match the pattern ^(a+)+$']);
      expect(await pool.validate(schema, { s: () => 1 })).toEqual([expect.stringMatching(/not plain JSON/)]);
      const controller = new AbortController();
      const aborted = pool.validate(schema, hostile, controller.signal);
      controller.abort();
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
      expect(pool.running).toBe(0);
    } finally {
      await Promise.all([strict.close(), pool.close()]);
    }
    await expect(pool.validate({ type: 'string' }, 'x')).rejects.toThrow(/closed/);
  });
});

describe('errors reach clients as a status and a generic message; details go to the log, redacted', () => {
  function failingServer(query: ServableRLM['query'], settings: Partial<RLMServerSettings> = {}) {
    const logs: ServerLogEntry[] = [];
    const server = createRLMServer({ rlm: { query }, apiKeys: [API_KEY], onLog: (entry) => logs.push(entry), ...settings });
    return { server, logs };
  }

  it('hides what a crashing RLM or a failed upstream said, and logs it without keys', async () => {
    const secretText = `internal http://10.1.2.3:9000/v1 said: bad key ${API_KEY} and sk-live-abcdefghijklmnop`;
    const runs: Array<() => Promise<unknown>> = [
      async () => {
        throw new Error(secretText);
      },
      async () => {
        throw new ConfigurationError(`No upstream key: ${secretText}`);
      },
      async () =>
        ({
          status: 'error',
          answer: '',
          statusDetail: secretText,
          error: new ModelProviderError(secretText, { provider: 'openai', modelId: 'm', statusCode: 401 }),
          usage: { total: { inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, calls: 0 } },
          iterations: 1,
          subcalls: 0,
          durationMs: 1,
          trajectory: { steps: [] },
        }) as unknown as RLMResult<unknown>,
    ];
    const expected: Array<[number, string]> = [
      [500, 'internal_error'],
      [500, 'configuration'],
      [502, 'upstream_model_error'],
    ];
    for (const [index, query] of runs.entries()) {
      const { server, logs } = failingServer(query as unknown as ServableRLM['query']);
      const { baseURL, close } = await server.listen(0);
      try {
        const response = await post(baseURL, { model: 'rlm', messages: [{ role: 'user', content: 'hi' }] });
        const text = await response.text();
        expect(response.status).toBe(expected[index]![0]);
        const { error } = JSON.parse(text) as { error: { code: string; message: string } };
        expect(error.code).toBe(expected[index]![1]);
        expect(error.message).toMatch(/Details are in the server log under request chatcmpl-[0-9a-f]+\.$/);
        for (const hidden of ['10.1.2.3', API_KEY, 'sk-live', 'bad key']) expect(text).not.toContain(hidden);
        const log = JSON.stringify(logs);
        expect(log).toContain('10.1.2.3');
        expect(log).toContain('bad key [REDACTED]');
        expect(log).not.toContain(API_KEY);
        expect(log).not.toContain('sk-live-abcdefghijklmnop');
        expect(log).toContain(/chatcmpl-[0-9a-f]+/.exec(error.message)![0]);
      } finally {
        await close();
      }
    }
  });

  it('shows only the engine\'s own first clause of a status detail, without URLs or keys', () => {
    expect(clientStatusDetail('maxIterations (5) was reached; the closing answer call failed: 401 from http://internal:8000/v1 key sk-abcdefghijkl')).toBe(
      'maxIterations (5) was reached',
    );
    expect(clientStatusDetail('call to https://u:p@host/v1 failed with token=abcdef123')).toBe('call to [url] failed with token=[REDACTED]');
    expect(clientStatusDetail(undefined)).toBeUndefined();
  });
});

describe('settings of the limits', () => {
  it('validates the new settings', () => {
    const rlm = { query: (async () => undefined) as unknown as ServableRLM['query'] };
    expect(() => createRLMServer({ rlm, apiKeys: 'none', maxBodyBytes: 1_000, maxPendingBodyBytes: 999 })).toThrow(/`maxPendingBodyBytes` must be an integer ≥ 1000/);
    for (const name of ['bodyTimeoutMs', 'headersTimeoutMs', 'maxSchemaBytes', 'maxSchemaDepth', 'maxSchemaSubschemas', 'schemaValidationTimeoutMs']) {
      expect(() => createRLMServer({ rlm, apiKeys: 'none', [name]: 0 })).toThrow(new RegExp(`\`${name}\` must be an integer`));
    }
  });
});
