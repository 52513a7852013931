import { afterEach, describe, expect, it } from 'vitest';
import {
  estimateTokens,
  startOpenAICompatibleServer,
  type OpenAICompatibleServer,
  type OpenAICompatibleServerOptions,
  type ServerReplyRequest,
} from '../src/testing/index.js';

let server: OpenAICompatibleServer | undefined;

async function start(options: OpenAICompatibleServerOptions = {}): Promise<OpenAICompatibleServer> {
  server = await startOpenAICompatibleServer(options);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function post(base: string, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    body: JSON.stringify(body),
    signal: init.signal ?? null,
  });
}

/** Parses an SSE body into its `data:` payloads (and event names). */
function parseSse(text: string): { event: string | undefined; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      return { event, data };
    });
}

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'test-model',
  messages: [
    { role: 'system', content: 'You are a test.' },
    { role: 'user', content: 'Hello there' },
  ],
  ...extra,
});

describe('startOpenAICompatibleServer', () => {
  it('listens on 127.0.0.1 with a /v1 base URL and lists models', async () => {
    const s = await start({ models: ['a', 'b'] });
    expect(s.baseURL).toBe(`http://127.0.0.1:${s.port}/v1`);
    const response = await fetch(`${s.baseURL}/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: { id: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((model) => model.id)).toEqual(['a', 'b']);
    expect((await fetch(`${s.baseURL}/models/b`)).status).toBe(200);
    expect((await fetch(`${s.baseURL}/models/zzz`)).status).toBe(404);
  });

  it('answers chat completions in order with deterministic usage', async () => {
    const s = await start({ replies: ['first reply', { text: 'second', usage: { cachedInputTokens: 2, reasoningTokens: 5 } }] });
    const first = (await (await post(s.baseURL, '/chat/completions', chatBody())).json()) as Record<string, any>;
    expect(first.object).toBe('chat.completion');
    expect(first.id).toMatch(/^chatcmpl-/);
    expect(first.model).toBe('test-model');
    expect(first.choices[0].message).toEqual({ role: 'assistant', content: 'first reply', refusal: null });
    expect(first.choices[0].finish_reason).toBe('stop');
    const inputTokens = estimateTokens('You are a test.Hello there');
    expect(first.usage).toEqual({
      prompt_tokens: inputTokens,
      completion_tokens: estimateTokens('first reply'),
      total_tokens: inputTokens + estimateTokens('first reply'),
    });
    const second = (await (await post(s.baseURL, '/chat/completions', chatBody())).json()) as Record<string, any>;
    expect(second.choices[0].message.content).toBe('second');
    expect(second.usage.prompt_tokens_details).toEqual({ cached_tokens: 2 });
    expect(second.usage.completion_tokens_details).toEqual({ reasoning_tokens: 5 });
    expect(second.usage.completion_tokens).toBe(estimateTokens('second') + 5);
    expect(s.modelRequests.map((request) => request.replyText)).toEqual(['first reply', 'second']);
    s.assertNoFailures();
  });

  it('answers 400 script_exhausted and records a failure when replies run out', async () => {
    const s = await start({ replies: ['only one'] });
    await post(s.baseURL, '/chat/completions', chatBody());
    const response = await post(s.baseURL, '/chat/completions', chatBody());
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('script_exhausted');
    expect(body.error.message).toContain('exhausted');
    expect(s.failures).toHaveLength(1);
    expect(() => s.assertNoFailures()).toThrow(/exhausted/);
  });

  it('gives a reply function the full parsed request', async () => {
    const seen: ServerReplyRequest[] = [];
    const s = await start({
      replies: (request) => {
        seen.push(request);
        return request.systemPrompt === 'root' ? 'root reply' : { text: `sub: ${request.lastUserMessage}`, model: 'served-model' };
      },
    });
    const root = (await (
      await post(s.baseURL, '/chat/completions', {
        model: 'big',
        messages: [
          { role: 'system', content: 'root' },
          { role: 'user', content: [{ type: 'text', text: 'question' }] },
        ],
      })
    ).json()) as Record<string, any>;
    const sub = (await (
      await post(s.baseURL, '/chat/completions', { model: 'small', messages: [{ role: 'user', content: 'chunk 1' }] })
    ).json()) as Record<string, any>;
    expect(root.choices[0].message.content).toBe('root reply');
    expect(sub.choices[0].message.content).toBe('sub: chunk 1');
    expect(sub.model).toBe('served-model');
    expect(seen.map((request) => [request.api, request.model, request.index, request.stream])).toEqual([
      ['chat', 'big', 0, false],
      ['chat', 'small', 1, false],
    ]);
    expect(seen[0]?.messages).toEqual([
      { role: 'system', content: 'root' },
      { role: 'user', content: 'question' },
    ]);
    expect(seen[1]?.body).toEqual({ model: 'small', messages: [{ role: 'user', content: 'chunk 1' }] });
  });

  it('records a failure and answers 500 when the reply function throws', async () => {
    const s = await start({
      replies: () => {
        throw new Error('boom');
      },
    });
    const response = await post(s.baseURL, '/chat/completions', chatBody());
    expect(response.status).toBe(500);
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(s.failures[0]).toContain('boom');
  });

  it('streams chat completions in the OpenAI SSE format with a final usage chunk', async () => {
    const s = await start({ replies: ['Hello streaming world'] });
    const response = await post(s.baseURL, '/chat/completions', chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as Record<string, any>);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0].delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello streaming world');
    const finish = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBe(estimateTokens('Hello streaming world'));
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('streams without a usage chunk unless include_usage is set', async () => {
    const s = await start({ replies: ['abc'] });
    const events = parseSse(await (await post(s.baseURL, '/chat/completions', chatBody({ stream: true }))).text());
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as Record<string, any>);
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
  });

  it('answers the Responses API, plain and streamed', async () => {
    const s = await start({ replies: ['plain answer', { text: 'streamed answer', usage: { reasoningTokens: 3 } }] });
    const body = { model: 'test-model', instructions: 'Be brief.', input: [{ role: 'user', content: 'Hi' }] };
    const plain = (await (await post(s.baseURL, '/responses', body)).json()) as Record<string, any>;
    expect(plain.object).toBe('response');
    expect(plain.status).toBe('completed');
    expect(plain.output[0].content[0]).toMatchObject({ type: 'output_text', text: 'plain answer' });
    expect(plain.usage.input_tokens).toBe(estimateTokens('Be brief.Hi'));
    expect(s.modelRequests[0]?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    const events = parseSse(await (await post(s.baseURL, '/responses', { ...body, stream: true })).text());
    const types = events.map((event) => event.event);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    const payloads = events.map((event) => JSON.parse(event.data) as Record<string, any>);
    expect(payloads.map((payload) => payload.sequence_number)).toEqual(payloads.map((_, index) => index));
    const deltas = payloads.filter((payload) => payload.type === 'response.output_text.delta').map((payload) => payload.delta);
    expect(deltas.join('')).toBe('streamed answer');
    expect(payloads.at(-1)?.response.usage.output_tokens_details.reasoning_tokens).toBe(3);
  });

  it('reports a length finish as incomplete in the Responses API', async () => {
    const s = await start({ replies: [{ text: 'cut', finishReason: 'length' }] });
    const plain = (await (await post(s.baseURL, '/responses', { model: 'm', input: 'Hi' })).json()) as Record<string, any>;
    expect(plain.status).toBe('incomplete');
    expect(plain.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('omits usage when reportUsage is false', async () => {
    const s = await start({ replies: ['x'], reportUsage: false });
    const body = (await (await post(s.baseURL, '/chat/completions', chatBody())).json()) as Record<string, any>;
    expect(body.usage).toBeUndefined();
  });

  it('checks the bearer key when apiKey is set', async () => {
    const s = await start({ replies: ['ok'], apiKey: 'secret' });
    expect((await post(s.baseURL, '/chat/completions', chatBody())).status).toBe(401);
    const ok = await post(s.baseURL, '/chat/completions', chatBody(), { headers: { authorization: 'Bearer secret' } });
    expect(ok.status).toBe(200);
  });

  it('injects queued faults in order, null meaning "answer normally"', async () => {
    const s = await start({
      replies: ['a', 'b'],
      faults: [{ type: 'rate-limit', retryAfterSeconds: 2, retryAfterMs: 1500 }, null, { type: 'server-error' }, { type: 'unauthorized' }],
    });
    const limited = await post(s.baseURL, '/chat/completions', chatBody());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('retry-after-ms')).toBe('1500');
    expect((await post(s.baseURL, '/chat/completions', chatBody())).status).toBe(200);
    expect((await post(s.baseURL, '/chat/completions', chatBody())).status).toBe(500);
    expect((await post(s.baseURL, '/chat/completions', chatBody())).status).toBe(401);
    expect((await post(s.baseURL, '/chat/completions', chatBody())).status).toBe(200);
    expect(s.modelRequests.map((request) => request.fault?.type)).toEqual(['rate-limit', undefined, 'server-error', 'unauthorized', undefined]);
    expect(s.modelRequests.map((request) => request.replyText)).toEqual([undefined, 'a', undefined, undefined, 'b']);
  });

  it('applies fault rules by predicate, at most `times` times', async () => {
    const s = await start({
      replies: () => 'fine',
      faultRules: [{ when: (request) => request.model === 'missing', fault: { type: 'model-not-found' }, times: 1 }],
    });
    const missing = await post(s.baseURL, '/chat/completions', chatBody({ model: 'missing' }));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    expect((await post(s.baseURL, '/chat/completions', chatBody({ model: 'missing' }))).status).toBe(200);
  });

  it('rejects unknown models when asked to', async () => {
    const s = await start({ replies: ['x'], models: ['known'], rejectUnknownModels: true });
    expect((await post(s.baseURL, '/chat/completions', chatBody({ model: 'other' }))).status).toBe(404);
  });

  it('drops the connection', async () => {
    const s = await start({ replies: ['x'], faults: [{ type: 'drop-connection' }] });
    await expect(post(s.baseURL, '/chat/completions', chatBody())).rejects.toThrow();
    expect(s.modelRequests[0]?.status).toBeUndefined();
  });

  it('sends malformed JSON, plain and streamed', async () => {
    const s = await start({ replies: ['x', 'y'], faults: [{ type: 'malformed-json' }, { type: 'malformed-json' }] });
    const plain = await post(s.baseURL, '/chat/completions', chatBody());
    await expect(plain.json()).rejects.toThrow(SyntaxError);
    const streamed = parseSse(await (await post(s.baseURL, '/chat/completions', chatBody({ stream: true }))).text());
    expect(() => streamed.forEach((event) => JSON.parse(event.data))).toThrow(SyntaxError);
  });

  it('truncates a stream mid-body without consuming a scripted reply', async () => {
    const s = await start({ replies: ['one two three four'], faults: [{ type: 'truncated-stream', afterChunks: 2 }] });
    const response = await post(s.baseURL, '/chat/completions', chatBody({ stream: true }));
    await expect(response.text()).rejects.toThrow();
    const ok = (await (await post(s.baseURL, '/chat/completions', chatBody())).json()) as Record<string, any>;
    expect(ok.choices[0].message.content).toBe('one two three four');
  });

  it('truncates a plain body mid-way', async () => {
    const s = await start({ replies: ['x'], faults: [{ type: 'truncated-stream' }] });
    const response = await post(s.baseURL, '/chat/completions', chatBody());
    await expect(response.text()).rejects.toThrow();
  });

  it('hangs until the client gives up, and close() still returns', async () => {
    const s = await start({ replies: ['x'], faults: [{ type: 'hang' }, { type: 'hang' }] });
    await expect(post(s.baseURL, '/chat/completions', chatBody(), { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const pending = post(s.baseURL, '/chat/completions', chatBody()).catch((error: unknown) => error);
    while (s.modelRequests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await s.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('delays slow replies and honours latencyMs', async () => {
    const s = await start({ replies: ['late', 'later'], latencyMs: 30, faults: [{ type: 'slow', delayMs: 60 }] });
    const started = Date.now();
    const body = (await (await post(s.baseURL, '/chat/completions', chatBody())).json()) as Record<string, any>;
    expect(body.choices[0].message.content).toBe('late');
    // Lower bound only: the server waited at least latency + delay.
    expect(Date.now() - started).toBeGreaterThanOrEqual(85);
  });

  it('records unknown routes and invalid bodies as failures', async () => {
    const s = await start();
    expect((await post(s.baseURL, '/completions', { prompt: 'x' })).status).toBe(404);
    expect((await post(s.baseURL, '/chat/completions', { model: 'm' })).status).toBe(400);
    expect(s.failures).toHaveLength(2);
    expect(s.failures[1]).toContain("'messages'");
  });

  it('reset() clears requests, failures and faults and replaces the script', async () => {
    const s = await start({ replies: [], faults: [{ type: 'server-error' }] });
    await post(s.baseURL, '/chat/completions', chatBody());
    s.reset({ replies: ['fresh'] });
    expect(s.requests).toEqual([]);
    const body = (await (await post(s.baseURL, '/chat/completions', chatBody())).json()) as Record<string, any>;
    expect(body.choices[0].message.content).toBe('fresh');
    s.assertNoFailures();
  });
});
