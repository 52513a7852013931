import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@rlms/core';
import { useServer } from './server-fixture.js';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hi' },
];
const { start, provider } = useServer();

const bigUsage = { inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 100_000, reasoningTokens: 40_000 };

describe('usage and cost', () => {
  it('maps input, cached, output, reasoning and total tokens from Chat Completions', async () => {
    await start({ replies: [{ text: 'ok', usage: bigUsage }] });
    const response = await provider({ model: 'gpt-4.1-mini' }).generate({ messages: conversation });
    expect(response.usage).toEqual({
      inputTokens: 1_000_000,
      cachedInputTokens: 200_000,
      outputTokens: 100_000,
      reasoningTokens: 40_000,
      totalTokens: 1_100_000,
    });
    // gpt-4.1-mini: $0.40 input, $0.10 cached input, $1.60 output per million tokens.
    expect(response.costUsd).toBeCloseTo(0.8 * 0.4 + 0.2 * 0.1 + 0.1 * 1.6, 10);
    expect(response.responseModelId).toBe('gpt-4.1-mini');
  });

  it('maps usage from the Responses API', async () => {
    await start({ replies: [{ text: 'ok', usage: bigUsage }] });
    const response = await provider({ model: 'o4-mini', api: 'responses' }).generate({ messages: conversation });
    expect(response.usage).toEqual({
      inputTokens: 1_000_000,
      cachedInputTokens: 200_000,
      outputTokens: 100_000,
      reasoningTokens: 40_000,
      totalTokens: 1_100_000,
    });
    // o4-mini: $1.10 input, $0.275 cached input, $4.40 output per million tokens.
    expect(response.costUsd).toBeCloseTo(0.8 * 1.1 + 0.2 * 0.275 + 0.1 * 4.4, 10);
  });

  it('leaves fields the server does not report undefined', async () => {
    await start({ replies: ['plain'] });
    const response = await provider({ model: 'gpt-4o' }).generate({ messages: conversation });
    expect(response.usage.cachedInputTokens).toBeUndefined();
    expect(response.usage.reasoningTokens).toBeUndefined();
    expect(response.usage.inputTokens).toBeGreaterThan(0);
  });

  it('gives an unknown model costUsd undefined, never a guess', async () => {
    await start({ replies: [{ text: 'ok', usage: bigUsage }] });
    const response = await provider({ model: 'mit-oasys/rlm-qwen3-8b-v0.1' }).generate({ messages: conversation });
    expect(response.usage.inputTokens).toBe(1_000_000);
    expect(response.costUsd).toBeUndefined();
    expect('costUsd' in response).toBe(false);
  });

  it('gives costUsd undefined when the server reports no usage', async () => {
    await start({ replies: ['ok'], reportUsage: false });
    const response = await provider({ model: 'gpt-4o' }).generate({ messages: conversation });
    expect(response.usage).toEqual({});
    expect(response.costUsd).toBeUndefined();
  });

  it('uses the pricing override', async () => {
    await start({ replies: [{ text: 'ok', usage: { inputTokens: 2_000_000, outputTokens: 500_000 } }] });
    const local = provider({
      model: 'my-local-model',
      pricing: { inputPerMillion: 0.1, outputPerMillion: 0.2 },
    });
    expect((await local.generate({ messages: conversation })).costUsd).toBeCloseTo(0.2 + 0.1, 10);
  });

  it('knows the context window of common models and accepts an override', async () => {
    await start();
    expect(provider({ model: 'gpt-4.1' }).contextWindowTokens).toBe(1_047_576);
    expect(provider({ model: 'gpt-4o-mini-2024-07-18' }).contextWindowTokens).toBe(128_000);
    expect(provider({ model: 'unknown-model' }).contextWindowTokens).toBeUndefined();
    expect(provider({ model: 'unknown-model', contextWindowTokens: 32_768 }).contextWindowTokens).toBe(32_768);
  });
});

describe('request shape', () => {
  it('sends max_tokens, temperature, stop and a system message to ordinary models', async () => {
    const server = await start({ replies: ['ok'] });
    await provider({ model: 'gpt-4.1-mini' }).generate({
      messages: conversation,
      maxOutputTokens: 100,
      temperature: 0.2,
      stopSequences: ['END'],
    });
    const body = server.modelRequests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'gpt-4.1-mini', max_tokens: 100, temperature: 0.2, stop: ['END'] });
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(body).not.toHaveProperty('stream');
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  for (const model of ['o3-mini', 'o4-mini', 'gpt-5', 'gpt-5.1-2025-11-13', 'openai/o3']) {
    it(`sends max_completion_tokens, no temperature or stop, and developer messages to ${model}`, async () => {
      const server = await start({ replies: ['alpha STOP beta'] });
      const response = await provider({ model, reasoningEffort: 'low' }).generate({
        messages: conversation,
        maxOutputTokens: 100,
        temperature: 0.2,
        stopSequences: ['STOP'],
      });
      const body = server.modelRequests[0]?.body as Record<string, unknown>;
      expect(body).toMatchObject({ max_completion_tokens: 100, reasoning_effort: 'low' });
      expect(body).not.toHaveProperty('max_tokens');
      expect(body).not.toHaveProperty('temperature');
      expect(body).not.toHaveProperty('stop');
      expect((body.messages as { role: string }[])[0]?.role).toBe('developer');
      // The stop sequence is applied on the client instead.
      expect(response.text).toBe('alpha ');
      expect(response.finishReason).toBe('stop');
    });
  }

  it('sends system prompts of o1-mini as user messages', async () => {
    const server = await start({ replies: ['ok'] });
    await provider({ model: 'o1-mini' }).generate({ messages: conversation });
    expect((server.modelRequests[0]?.body as { messages: { role: string }[] }).messages.map((m) => m.role)).toEqual([
      'user',
      'user',
    ]);
  });

  it('keeps temperature for gpt-5-chat-latest (not a reasoning model) and honours reasoningModel', async () => {
    const server = await start({ replies: ['a', 'b'] });
    await provider({ model: 'gpt-5-chat-latest' }).generate({ messages: conversation, temperature: 0.3 });
    await provider({ model: 'my-reasoner', reasoningModel: true }).generate({ messages: conversation, temperature: 0.3 });
    expect(server.modelRequests[0]?.body).toMatchObject({ temperature: 0.3 });
    expect(server.modelRequests[1]?.body).not.toHaveProperty('temperature');
  });

  it('sends Responses API requests statelessly, with max_output_tokens and developer input', async () => {
    const server = await start({ replies: ['one two STOP three'] });
    const response = await provider({ model: 'o3', api: 'responses' }).generate({
      messages: conversation,
      maxOutputTokens: 500,
      temperature: 1,
      stopSequences: ['STOP'],
    });
    expect(server.modelRequests[0]?.path).toBe('/v1/responses');
    const body = server.modelRequests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'o3', max_output_tokens: 500, store: false });
    expect(body).not.toHaveProperty('temperature');
    expect(body.input).toEqual([
      { type: 'message', role: 'developer', content: 'You are terse.' },
      { type: 'message', role: 'user', content: 'Hi' },
    ]);
    expect(response.text).toBe('one two ');
  });

  it('maps a Responses API incomplete reply to finishReason length', async () => {
    await start({ replies: [{ text: 'cut sh', finishReason: 'length' }] });
    const response = await provider({ api: 'responses' }).generate({ messages: conversation });
    expect(response).toMatchObject({ text: 'cut sh', finishReason: 'length' });
  });

  it('merges extraBody, settings headers and per-call headers', async () => {
    const server = await start({ replies: ['ok'] });
    await provider({
      extraBody: { chat_template_kwargs: { enable_thinking: false } },
      headers: { 'x-app': 'rlms-test' },
    }).generate({ messages: conversation, headers: { 'x-call': 'one' } });
    const request = server.modelRequests[0];
    expect(request?.body).toMatchObject({ chat_template_kwargs: { enable_thinking: false } });
    expect(request?.headers['x-app']).toBe('rlms-test');
    expect(request?.headers['x-call']).toBe('one');
    expect(request?.headers.authorization).toBe('Bearer test-key');
  });

  it('reports provider name and model id', async () => {
    await start();
    const named = provider({ model: 'mit-oasys/rlm-qwen3-8b-v0.1', name: 'vllm' });
    expect(named.specificationVersion).toBe('rlms-model-v1');
    expect(named.provider).toBe('vllm');
    expect(named.modelId).toBe('mit-oasys/rlm-qwen3-8b-v0.1');
  });
});
