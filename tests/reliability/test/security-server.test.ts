/**
 * `rlms serve` under attack (security issue 19, findings 4 and 5; issue 21 point 5), through the
 * real server (`createRLMServer` on 127.0.0.1) with a scripted OpenAI-compatible upstream model:
 * a client's `response_format` schema cannot stall the event loop, upstream error text (internal
 * URLs, echoed keys) never reaches clients and is redacted in the log and the saved trajectory,
 * trajectories are 0600, and a `$ref` schema is really checked.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRLM, type RLMResult, type RLMSettings } from '@rlms/core';
import type { OpenAICompatibleServer } from '@rlms/openai/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createRLMServer, type RLMServer, type RLMServerSettings, type ServerLogEntry } from '@rlms/server';
import { startScriptedServer, serverModel, isRootCall, type ScriptedServerOptions } from '../src/scripted-server.ts';

const CLIENT_KEY = 'sk-serve-client-key-0123456789';
const UPSTREAM_KEY = 'upstream-secret-9f8e7d6c5b4a';
const sandbox = createLocalSandbox();
afterAll(() => sandbox.close());

interface Serve {
  readonly server: RLMServer;
  readonly url: string;
  readonly upstream: OpenAICompatibleServer;
  readonly logs: ServerLogEntry[];
  readonly results: RLMResult<unknown>[];
  close(): Promise<void>;
}

let serve: Serve | undefined;
afterEach(async () => {
  await serve?.close();
  serve = undefined;
});

async function startServe(options: {
  upstream: ScriptedServerOptions;
  server?: Partial<RLMServerSettings>;
  rlm?: Partial<RLMSettings>;
  apiKey?: string;
}): Promise<Serve> {
  const upstream = await startScriptedServer(options.upstream);
  const inner = createRLM({
    model: serverModel(upstream, { apiKey: options.apiKey ?? 'test-key', maxRetries: 0 }),
    sandbox,
    maxIterations: 4,
    ...options.rlm,
  });
  const results: RLMResult<unknown>[] = [];
  const rlm = {
    query: (async (query: Parameters<typeof inner.query>[0]) => {
      const result = await inner.query(query);
      results.push(result);
      return result;
    }) as typeof inner.query,
  };
  const logs: ServerLogEntry[] = [];
  const server = createRLMServer({ rlm, apiKeys: [CLIENT_KEY], onLog: (entry) => logs.push(entry), ...options.server });
  const listening = await server.listen(0);
  return {
    server,
    url: listening.url,
    upstream,
    logs,
    results,
    close: async () => {
      await server.close({ graceMs: 0 });
      await upstream.close();
    },
  };
}

function complete(s: Serve, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'rlm', messages: [{ role: 'user', content: 'Answer in the requested shape.' }], ...body }),
  });
}

function withSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } };
}

interface Health {
  readonly status: string;
  readonly active_runs: number;
  readonly pending_bodies: number;
  readonly schema_checks_running: number;
}

async function health(s: Serve): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${s.url}/health`);
  return { status: response.status, body: (await response.json()) as Health };
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The finding's schema: 10,000 anyOf options. */
const ANY_OF_10K = { type: 'array', items: { anyOf: Array.from({ length: 10_000 }, (_, index) => ({ const: `v${index}` })) } };

describe('a client schema cannot stall rlms serve (finding 4)', { timeout: 120_000 }, () => {
  it('refuses the 10,000-anyOf schema with a 400 naming the limit, before any run starts', async () => {
    serve = await startServe({ upstream: { root: ['FINAL(never asked)'] } });
    const response = await complete(serve, withSchema(ANY_OF_10K));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string; message: string } };
    expect(error.code).toBe('schema_too_complex');
    expect(error.param).toBe('response_format.json_schema.schema');
    expect(error.message).toMatch(/more than 5,000 subschemas/);
    expect(error.message).toContain('--max-schema-subschemas');
    expect(serve.upstream.modelRequests).toHaveLength(0);
    expect(serve.server.activeRuns).toBe(0);
  });

  it('checks answers off the main thread: /health answers while a hostile check is pending, and the check stops with the run', async () => {
    // A pattern that backtracks exponentially on the answer: a check on the main thread would never return.
    serve = await startServe({
      upstream: { root: [`FINAL({"s": "${'a'.repeat(48)}!"})`] },
      server: { schemaValidationTimeoutMs: 600_000 },
    });
    const s = serve;
    const pending = complete(s, withSchema({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } }, required: ['s'] }));
    let settled = false;
    void pending.then(() => (settled = true));
    // /health answers while the answer's check is running in its worker.
    await waitFor('the answer check to be running', async () => (await health(s)).body.schema_checks_running === 1);
    for (let probe = 0; probe < 5; probe++) {
      const { status, body } = await health(s);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', active_runs: 1, schema_checks_running: 1 });
    }
    expect(settled).toBe(false);
    // Shutting down aborts the run, which stops its check: the client gets a typed 503.
    await s.server.close({ graceMs: 0 });
    const response = await pending;
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('server_shutting_down');
    expect(s.results[0]!.status).toBe('aborted');
  });

  it('bounds the finding as written (10,000 anyOf options, a 50,000-item answer) when the caps are raised', async () => {
    serve = await startServe({
      upstream: { root: ['```repl\nFINAL(["v9999"] * 50000)\n```'] },
      server: { maxSchemaSubschemas: 20_000 },
      rlm: { maxSchemaRetries: 0 },
    });
    const s = serve;
    const pending = complete(s, withSchema(ANY_OF_10K));
    let healthAnswers = 0;
    let done = false;
    const answered = pending.finally(() => (done = true));
    while (!done) {
      const { status } = await health(s);
      expect(status).toBe(200);
      healthAnswers++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const response = await answered;
    expect(healthAnswers).toBeGreaterThan(0);
    // The check stopped at its work budget and said so; with no retries left the run is a typed error.
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('answer_validation');
    expect(s.results[0]!.status).toBe('error');
    expect(s.results[0]!.statusDetail).toMatch(/too large to check against the schema/);
  });

  it('rejects 12345 for a $ref object schema and asks the model again (issue 21)', async () => {
    serve = await startServe({ upstream: { root: ['FINAL(12345)', 'FINAL({"x": 1, "y": 2})'] } });
    const schema = {
      $defs: { point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'], additionalProperties: false } },
      $ref: '#/$defs/point',
    };
    const response = await complete(serve, withSchema(schema));
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(JSON.parse(completion.choices[0]!.message.content)).toEqual({ x: 1, y: 2 });
    const rootCalls = serve.upstream.modelRequests.filter((request) => request.messages?.[0]?.content.includes('Python REPL'));
    expect(rootCalls).toHaveLength(2);
    expect(rootCalls[1]!.messages!.at(-1)!.content).toContain('expected object, got integer');
  });
});

describe('upstream error text stays on the server (finding 5)', { timeout: 120_000 }, () => {
  const echoed = `Incorrect API key provided: ${UPSTREAM_KEY}. Internal gateway http://llm-gw.corp.internal:8000/v1?token=gw-token-123456 (Authorization: Bearer ${UPSTREAM_KEY}; other key sk-proj-SomeoneElse0123456789abc)`;

  it('clients get a status and a generic message; the log and the trajectory have the details with secrets redacted', async () => {
    const trajectoryDir = mkdtempSync(join(tmpdir(), 'rlms-serve-trajectories-'));
    try {
      serve = await startServe({
        upstream: {
          root: ['FINAL(never)'],
          faultRules: [{ when: isRootCall, fault: { type: 'http-error', status: 401, message: echoed } }],
        },
        apiKey: UPSTREAM_KEY,
        server: { trajectoryDir: join(trajectoryDir, 'runs') },
      });
      const s = serve;
      const upstreamHost = new URL(s.upstream.baseURL).host;
      for (const stream of [false, true]) {
        const response = await complete(s, { stream });
        const text = await response.text();
        if (stream) expect(text).toContain('"code":"upstream_model_error"');
        else {
          expect(response.status).toBe(502);
          const { error } = JSON.parse(text) as { error: { code: string; message: string; type: string } };
          expect(error).toMatchObject({ code: 'upstream_model_error', type: 'server_error' });
          expect(error.message).toMatch(/^The RLM's model provider failed\. Details are in the server log under request chatcmpl-[0-9a-f]+\.$/);
        }
        for (const secret of [UPSTREAM_KEY, 'gw-token-123456', 'llm-gw.corp.internal', upstreamHost, 'SomeoneElse', 'Incorrect API key']) {
          expect(text, secret).not.toContain(secret);
        }
      }
      await waitFor('both requests to be logged', () => s.logs.filter((entry) => entry.event === 'request').length === 2);
      const log = JSON.stringify(s.logs);
      expect(log).toContain('Incorrect API key provided: [REDACTED]');
      expect(log).toMatch(/chatcmpl-[0-9a-f]+: /);
      for (const secret of [UPSTREAM_KEY, 'gw-token-123456', 'SomeoneElse', CLIENT_KEY]) expect(log, secret).not.toContain(secret);
      // The saved trajectories hold what the run saw, with the key already removed by @rlms/openai.
      const files = readdirSync(join(trajectoryDir, 'runs'));
      expect(files).toHaveLength(2);
      for (const file of files) {
        const saved = readFileSync(join(trajectoryDir, 'runs', file), 'utf8');
        expect(saved).toContain('[REDACTED]');
        expect(saved).not.toContain(UPSTREAM_KEY);
        expect(saved).not.toContain('SomeoneElse');
      }
      expect(JSON.stringify(s.results.map((result) => [result.statusDetail, result.error?.message]))).not.toContain(UPSTREAM_KEY);
    } finally {
      rmSync(trajectoryDir, { recursive: true, force: true });
    }
  });

  it('writes trajectory files 0600 (in a 0700 folder it creates)', async () => {
    const trajectoryDir = mkdtempSync(join(tmpdir(), 'rlms-serve-trajectories-'));
    try {
      serve = await startServe({ upstream: { root: ['FINAL(done)'] }, server: { trajectoryDir: join(trajectoryDir, 'runs') } });
      const response = await complete(serve, {});
      expect(response.status).toBe(200);
      const { id } = (await response.json()) as { id: string };
      const path = join(trajectoryDir, 'runs', `${id}.json`);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(trajectoryDir, 'runs')).mode & 0o777).toBe(0o700);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ question: expect.stringContaining('Answer in the requested shape.') });
    } finally {
      rmSync(trajectoryDir, { recursive: true, force: true });
    }
  });
});
