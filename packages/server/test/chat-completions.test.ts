import { ConfigurationError, createRLM } from '@rlms/core';
import { MockModel, trackSandbox } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createRLMServer, type RLMServerSettings } from '../src/index.js';
import { API_KEY, readSseLines, startFixture, type Fixture } from './server-fixture.js';

const LONG_DOC = 'The quick brown fox jumps over the lazy dog. '.repeat(200); // 9 000 chars > 4 000 threshold

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  if (fixture !== undefined) expect(fixture.sandbox.live).toBe(0);
  fixture = undefined;
});

function client(f: Fixture, apiKey = API_KEY): OpenAI {
  return new OpenAI({ baseURL: f.baseURL, apiKey, maxRetries: 0 });
}

describe('POST /v1/chat/completions with the openai client', () => {
  it('answers a non-streaming request with a chat.completion and the usage of the whole RLM tree', async () => {
    fixture = await startFixture();
    const completion = await client(fixture).chat.completions.create({
      model: 'rlm',
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: LONG_DOC },
        { role: 'user', content: 'What animal jumps?' },
      ],
    });
    const result = fixture.results[0]!;
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('rlm');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content).toBe(`docs=['message_1'] chars=${LONG_DOC.length} sub=OK`);
    // Root call(s) plus the sub-call, exactly as the run counted them.
    expect(result.usage.total.calls).toBe(2);
    expect(completion.usage).toEqual({
      prompt_tokens: result.usage.total.inputTokens,
      completion_tokens: result.usage.total.outputTokens,
      total_tokens: result.usage.total.totalTokens,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(11);
    expect((completion as unknown as { rlm: { status: string; subcalls: number } }).rlm).toMatchObject({ status: 'completed', subcalls: 1 });
    // The long message became context; the short ones the question.
    expect(fixture.questions[0]).toContain('Answer briefly.');
    expect(fixture.questions[0]).toContain('What animal jumps?');
    expect(fixture.questions[0]).not.toContain('quick brown fox');
  });

  it('streams chat.completion.chunk events: role, answer deltas, finish_reason, usage, [DONE]', async () => {
    fixture = await startFixture();
    const stream = await client(fixture).chat.completions.create({
      model: 'rlm',
      messages: [{ role: 'user', content: `${LONG_DOC}\n\nWhich animal is lazy?` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const result = fixture.results[0]!;
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(result.answer);
    expect(text).toContain("docs=['message_0']");
    const finish = chunks.filter((chunk) => chunk.choices[0]?.finish_reason != null);
    expect(finish.map((chunk) => chunk.choices[0]!.finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBe(result.usage.total.totalTokens);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    // The whole long message was context: the question quotes its start and end.
    expect(fixture.questions[0]).toContain('context["message_0"]');
    expect(fixture.questions[0]).toContain('Which animal is lazy?');
  });

  it('sends spec-valid SSE on the wire (raw fetch): comments for progress, JSON data events, then [DONE]', async () => {
    fixture = await startFixture();
    const response = await fetch(`${fixture.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'rlm', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const lines = await readSseLines(response);
    const events = lines.filter((line) => line.length > 0);
    for (const line of events) expect(line.startsWith('data: ') || line.startsWith(': ')).toBe(true);
    expect(events).toContain(': [rlm] Iteration 1: asking the root model.');
    const data = events.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload) as { choices: Array<{ delta: { content?: string }; finish_reason: string | null }> });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(chunks.map((chunk) => chunk.choices[0]!.delta.content ?? '').join('')).toBe(fixture.results[0]!.answer);
    // Every event is terminated by a blank line.
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('');
  });

  it('answers a JSON schema response_format with JSON the schema accepts', async () => {
    fixture = await startFixture({ rootReply: () => '```repl\nFINAL({"animal": "fox", "count": len(context)})\n```' });
    const completion = await client(fixture).chat.completions.create({
      model: 'rlm',
      messages: [{ role: 'user', content: 'Which animal?' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object', properties: { animal: { type: 'string' } }, required: ['animal'] } },
      },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ animal: 'fox', count: 1 });
  });

  it('lists the served model and answers /health without a key', async () => {
    fixture = await startFixture({ server: { modelName: 'rlm-test' } });
    const models = await client(fixture).models.list();
    expect(models.data.map((model) => model.id)).toEqual(['rlm-test']);
    expect((await client(fixture).models.retrieve('rlm-test')).id).toBe('rlm-test');
    const health = await fetch(`${fixture.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', active_runs: 0, max_concurrent_runs: 4 });
  });
});

describe('errors in the OpenAI format', () => {
  it('rejects a wrong or missing API key with 401 and never logs keys', async () => {
    fixture = await startFixture();
    const wrong = client(fixture, 'sk-wrong-key');
    const error = await wrong.chat.completions.create({ model: 'rlm', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    const missing = await fetch(`${fixture.baseURL}/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    const body = (await missing.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect(body.error.message).toContain('Authorization: Bearer');
    expect(fixture.results).toHaveLength(0);
    expect(fixture.sandbox.created).toBe(0);
    const logged = JSON.stringify(fixture.logs);
    expect(logged).toContain('401');
    expect(logged).not.toContain('sk-wrong-key');
    expect(logged).not.toContain(API_KEY);
  });

  it('rejects a body over the limit with 413', async () => {
    fixture = await startFixture({ server: { maxBodyBytes: 10_000 } });
    const response = await fetch(`${fixture.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'rlm', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    expect(body.error.message).toContain('--max-body');
    expect(fixture.sandbox.created).toBe(0);
  });

  it('answers malformed requests with 400 naming the parameter', async () => {
    fixture = await startFixture();
    const post = (body: string) =>
      fetch(`${fixture!.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body });
    const cases: Array<[string, string | null, string]> = [
      ['{not json', null, 'invalid_json'],
      ['{"model":"rlm"}', 'messages', 'invalid_request'],
      ['{"messages":[{"role":"assistant","content":"hi"}]}', 'messages', 'invalid_request'],
      ['{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}', 'messages[0].content[0]', 'unsupported_content'],
      ['{"messages":[{"role":"user","content":"hi"}],"n":2}', 'n', 'invalid_request'],
    ];
    for (const [body, param, code] of cases) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: unknown }).error, body).toMatchObject({ type: 'invalid_request_error', param, code });
    }
    const notFound = await fetch(`${fixture.url}/v1/nope`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(notFound.status).toBe(404);
    const wrongMethod = await fetch(`${fixture.baseURL}/chat/completions`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(wrongMethod.status).toBe(405);
    expect(fixture.sandbox.created).toBe(0);
  });
});

describe('createRLMServer settings', () => {
  it('serves without authentication only when apiKeys is "none", building an RLM per request with createRLM', async () => {
    const sandbox = trackSandbox(createLocalSandbox());
    let built = 0;
    const server = createRLMServer({
      apiKeys: 'none',
      createRLM: () => {
        built++;
        return createRLM({ model: new MockModel({ replies: [`\`\`\`repl\nFINAL("run ${built}")\n\`\`\``] }), sandbox });
      },
    });
    const { baseURL, close } = await server.listen(0);
    try {
      const client = new OpenAI({ baseURL, apiKey: 'anything', maxRetries: 0 });
      for (const expected of ['run 1', 'run 2']) {
        const completion = await client.chat.completions.create({ model: 'rlm', messages: [{ role: 'user', content: 'hi' }] });
        expect(completion.choices[0]!.message.content).toBe(expected);
      }
      const anonymous = await fetch(`${baseURL}/models`);
      expect(anonymous.status).toBe(200);
    } finally {
      await close();
    }
    expect(built).toBe(2);
    expect(sandbox.live).toBe(0);
  });

  it('refuses to start without keys, without an RLM, or with bad limits', () => {
    const rlm = createRLM({ model: new MockModel({ replies: [] }), sandbox: createLocalSandbox() });
    const attempts: Array<[unknown, RegExp]> = [
      [{ rlm }, /`apiKeys` is required: .* apiKeys: 'none'/],
      [{ rlm, apiKeys: [] }, /`apiKeys` is required/],
      [{ rlm, apiKeys: ['has space'] }, /without whitespace/],
      [{ apiKeys: 'none' }, /exactly one of `rlm`/],
      [{ rlm, apiKeys: 'none', maxConcurrentRuns: 0 }, /`maxConcurrentRuns` must be an integer ≥ 1; got 0/],
    ];
    for (const [settings, message] of attempts) {
      expect(() => createRLMServer(settings as RLMServerSettings)).toThrow(message);
      try {
        createRLMServer(settings as RLMServerSettings);
      } catch (error) {
        expect(ConfigurationError.isInstance(error)).toBe(true);
      }
    }
  });
});
