import { ConfigurationError, ModelProviderError, type ModelStreamPart } from '@rlms/core';
import { OpenAI } from '@llamaindex/openai';
import { describe, expect, it } from 'vitest';
import { finishReasonFromRaw, fromLlamaIndex, usageFromRaw } from '../src/index.js';
import { ScriptedLLM } from './scripted-llm.js';

const USER = [{ role: 'user' as const, content: 'Hi' }];

async function drain(parts: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const out: ModelStreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

describe('fromLlamaIndex identity', () => {
  it('takes the provider from the class name and the model and window from metadata', () => {
    const model = fromLlamaIndex(new ScriptedLLM({ replies: [], model: 'qwen3-8b', contextWindow: 32_768 }));
    expect(model.provider).toBe('scriptedllm');
    expect(model.modelId).toBe('qwen3-8b');
    expect(model.contextWindowTokens).toBe(32_768);
    expect(fromLlamaIndex(new OpenAI({ model: 'gpt-4o-mini', apiKey: 'k' })).provider).toBe('openai');
  });

  it('treats the 1024-token placeholder window of unknown models as unknown', () => {
    const llm = new OpenAI({ model: 'my-vllm-model', apiKey: 'k' });
    expect(llm.metadata.contextWindow).toBe(1024);
    expect(fromLlamaIndex(llm).contextWindowTokens).toBeUndefined();
    expect(fromLlamaIndex(new OpenAI({ model: 'gpt-4o', apiKey: 'k' })).contextWindowTokens).toBe(128_000);
  });

  it('lets settings override the identity, and null turn the window guard off', () => {
    const llm = new ScriptedLLM({ replies: [], contextWindow: 8_192 });
    const model = fromLlamaIndex(llm, { provider: 'vllm', modelId: 'served-name', contextWindowTokens: 40_000 });
    expect([model.provider, model.modelId, model.contextWindowTokens]).toEqual(['vllm', 'served-name', 40_000]);
    expect(fromLlamaIndex(llm, { contextWindowTokens: null }).contextWindowTokens).toBeUndefined();
  });

  it('rejects what is not an LLM and invalid settings with ConfigurationError', () => {
    expect(() => fromLlamaIndex({} as never)).toThrow(/needs a LlamaIndex LLM with a `chat` method/);
    expect(() => fromLlamaIndex(new ScriptedLLM({ replies: [] }), { contextWindowTokens: 0 })).toThrow(ConfigurationError);
    expect(() => fromLlamaIndex(new ScriptedLLM({ replies: [] }), { additionalChatOptions: 'x' as never })).toThrow(/additionalChatOptions/);
  });
});

describe('fromLlamaIndex calls', () => {
  it('sends system/user/assistant messages as LlamaIndex chat messages', async () => {
    const llm = new ScriptedLLM({ replies: ['4'] });
    const messages = [
      { role: 'system' as const, content: 'Be terse.' },
      { role: 'user' as const, content: '2+2?' },
      { role: 'assistant' as const, content: 'Thinking.' },
      { role: 'user' as const, content: 'Answer.' },
    ];
    const response = await fromLlamaIndex(llm).generate({ messages });
    expect(response.text).toBe('4');
    expect(llm.calls[0]!.messages).toEqual(messages);
    expect(llm.calls[0]!.stream).toBe(false);
  });

  it('reads usage, finish reason and model from the raw response, and invents none when it is absent', async () => {
    const reported = await fromLlamaIndex(new ScriptedLLM({ replies: ['Hello there'], model: 'm-1' })).generate({ messages: USER });
    expect(reported.usage).toEqual({ inputTokens: 1, outputTokens: 3, totalTokens: 4 });
    expect(reported.finishReason).toBe('stop');
    expect(reported.responseModelId).toBe('m-1');

    const silent = fromLlamaIndex(new ScriptedLLM({ replies: ['Hello there', 'Hello there'], reportUsage: false }));
    expect((await silent.generate({ messages: USER })).usage).toEqual({});
    const finish = (await drain(silent.stream!({ messages: USER }))).at(-1);
    expect(finish).toMatchObject({ type: 'finish', usage: {}, finishReason: 'stop' });
  });

  it('uses a custom usage reader first, falling back to the built-in ones', async () => {
    const model = fromLlamaIndex(new ScriptedLLM({ replies: ['a', 'b'] }), {
      usage: (raw) => ((raw as { object?: string }).object === 'chat.completion' ? { inputTokens: 7, outputTokens: 9 } : undefined),
    });
    expect((await model.generate({ messages: USER })).usage).toEqual({ inputTokens: 7, outputTokens: 9 });
    const finish = (await drain(model.stream!({ messages: USER }))).at(-1) as Extract<ModelStreamPart, { type: 'finish' }>;
    expect(finish.usage).toEqual({ inputTokens: 1, outputTokens: 1, totalTokens: 2 });
  });

  it('applies stop sequences on the client, also across stream chunks', async () => {
    const text = 'first line\nSTOP here\nmore';
    const model = fromLlamaIndex(new ScriptedLLM({ replies: [text, text], chunkChars: 3 }));
    const response = await model.generate({ messages: USER, stopSequences: ['STOP'] });
    expect(response.text).toBe('first line\n');
    expect(response.finishReason).toBe('stop');
    const parts = await drain(model.stream!({ messages: USER, stopSequences: ['STOP'] }));
    expect(parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('')).toBe('first line\n');
  });

  it('passes additionalChatOptions, computed per call from the engine options', async () => {
    const llm = new ScriptedLLM({ replies: ['x', 'y'] });
    const seen: unknown[] = [];
    const model = fromLlamaIndex(llm, {
      additionalChatOptions: (call) => {
        seen.push({ ...call });
        return { max_tokens: call.maxOutputTokens };
      },
    });
    await model.generate({ messages: USER, maxOutputTokens: 100, temperature: 0.2 });
    await drain(model.stream!({ messages: USER }));
    expect(seen).toEqual([{ stream: false, maxOutputTokens: 100, temperature: 0.2 }, { stream: true }]);
    expect(llm.calls.map((call) => call.additionalChatOptions)).toEqual([{ max_tokens: 100 }, { max_tokens: undefined }]);
  });

  it('forwards the abort signal to an LLM that takes one in its chat options', async () => {
    const llm = new ScriptedLLM({ replies: ['late'], delayMs: 30_000 });
    const model = fromLlamaIndex(llm, { additionalChatOptions: ({ abortSignal }) => ({ signal: abortSignal }) });
    const controller = new AbortController();
    const pending = model.generate({ messages: USER, abortSignal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect((llm.calls[0]!.additionalChatOptions as { signal: AbortSignal }).signal.aborted).toBe(true);
    llm.dispose();
  });

  it('closes the LLM stream when aborted mid-stream, also with streamGenerate', async () => {
    for (const streamGenerate of [false, true]) {
      const controller = new AbortController();
      const llm = new ScriptedLLM({ replies: ['a long reply that keeps coming'], chunkChars: 2, onChunk: (index) => index === 2 && controller.abort() });
      const model = fromLlamaIndex(llm, { streamGenerate });
      const pending = streamGenerate ? model.generate({ messages: USER, abortSignal: controller.signal }) : drain(model.stream!({ messages: USER, abortSignal: controller.signal }));
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(llm.closedStreams, `streamGenerate: ${streamGenerate}`).toBe(1);
    }
  });

  it('stops reading the LLM stream once a stop sequence is seen', async () => {
    const llm = new ScriptedLLM({ replies: ['answer STOP and then a lot more text nobody needs'], chunkChars: 4 });
    const parts = await drain(fromLlamaIndex(llm).stream!({ messages: USER, stopSequences: ['STOP'] }));
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta).join('')).toBe('answer ');
    await new Promise((resolve) => setImmediate(resolve));
    expect(llm.closedStreams).toBe(1);
  });
});

describe('fromLlamaIndex errors', () => {
  const failing = (error: Error, extra: object = {}) =>
    Object.assign(new ScriptedLLM({ replies: () => error }), extra);

  it('wraps failures in ModelProviderError with status, retryability and retry-after', async () => {
    const rateLimited = Object.assign(new Error('Rate limit reached'), { status: 429, headers: { 'retry-after': '2' } });
    const error = await fromLlamaIndex(failing(rateLimited)).generate({ messages: USER }).catch((caught: unknown) => caught);
    expect(ModelProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 429, retryable: true, retryAfterMs: 2000, provider: 'scriptedllm' });
    expect((error as Error).message).toContain('Rate limit reached');
    expect((error as Error).cause).toBe(rateLimited);
  });

  it('does not mark errors retryable when the LLM retries on its own (maxRetries > 0)', async () => {
    const overloaded = Object.assign(new Error('Overloaded'), { status: 503 });
    const error = await fromLlamaIndex(failing(overloaded, { maxRetries: 3 })).generate({ messages: USER }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 503, retryable: false });
    const forced = await fromLlamaIndex(failing(overloaded, { maxRetries: 3 }), { engineRetries: true }).generate({ messages: USER }).catch((caught: unknown) => caught);
    expect(forced).toMatchObject({ retryable: true });
  });

  it('says how to fix authentication failures and treats connection errors as retryable', async () => {
    const unauthorized = await fromLlamaIndex(failing(Object.assign(new Error('Incorrect API key'), { status: 401 })))
      .generate({ messages: USER })
      .catch((caught: unknown) => caught);
    expect((unauthorized as Error).message).toMatch(/Incorrect API key.*Check the API key/);
    expect(unauthorized).toMatchObject({ retryable: false });
    const refused = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const error = await fromLlamaIndex(failing(refused)).generate({ messages: USER }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: true });
  });

  it('wraps an LLM that throws synchronously, in generate and in stream', async () => {
    const llm = Object.assign(new ScriptedLLM({ replies: [] }), {
      chat: () => {
        throw new Error('misconfigured client');
      },
    });
    await expect(fromLlamaIndex(llm).generate({ messages: USER })).rejects.toMatchObject({ name: 'ModelProviderError', message: expect.stringContaining('misconfigured client') });
    await expect(drain(fromLlamaIndex(llm).stream!({ messages: USER }))).rejects.toMatchObject({ name: 'ModelProviderError' });
  });

  it('reports a real HTTP failure of @llamaindex/openai with its status', async () => {
    const { startOpenAICompatibleServer } = await import('@rlms/openai/testing');
    await using server = await startOpenAICompatibleServer({ faults: [{ type: 'unauthorized' }] });
    const llm = new OpenAI({ model: 'test-model', baseURL: server.baseURL, apiKey: 'wrong', maxRetries: 0 });
    const error = await fromLlamaIndex(llm).generate({ messages: USER }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ModelProviderError', statusCode: 401, retryable: false });
  });
});

describe('raw response readers', () => {
  it('read usage from every known provider shape', () => {
    expect(usageFromRaw({ usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } } }))
      .toEqual({ inputTokens: 10, cachedInputTokens: 4, outputTokens: 5, reasoningTokens: 2, totalTokens: 15 });
    // Anthropic: input_tokens excludes cache reads and writes.
    expect(usageFromRaw({ type: 'message', usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 } }))
      .toEqual({ inputTokens: 130, cachedInputTokens: 100, outputTokens: 5 });
    expect(usageFromRaw({ type: 'message_start', message: { usage: { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } }))
      .toEqual({ inputTokens: 3, cachedInputTokens: 0, outputTokens: 1 });
    expect(usageFromRaw({ type: 'response.completed', response: { usage: { input_tokens: 8, output_tokens: 6, total_tokens: 14, output_tokens_details: { reasoning_tokens: 4 } } } }))
      .toEqual({ inputTokens: 8, outputTokens: 6, reasoningTokens: 4, totalTokens: 14 });
    expect(usageFromRaw({ usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 14 } }))
      .toEqual({ inputTokens: 9, outputTokens: 5, reasoningTokens: 2, totalTokens: 14 });
    expect(usageFromRaw({ model: 'llama3', done: true, prompt_eval_count: 26, eval_count: 290 })).toEqual({ inputTokens: 26, outputTokens: 290, totalTokens: 316 });
    expect(usageFromRaw({ metadata: { usage: { inputTokens: 4, outputTokens: 2, totalTokens: 6 } } })).toEqual({ inputTokens: 4, outputTokens: 2, totalTokens: 6 });
    expect(usageFromRaw({ usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 } })).toEqual({ inputTokens: 4, outputTokens: 2, totalTokens: 6 });
    for (const raw of [null, undefined, 'text', {}, { usage: null }, { usage: { prompt_tokens: -1, completion_tokens: 1.5 } }]) {
      expect(usageFromRaw(raw)).toEqual({});
    }
  });

  it('read finish reasons', () => {
    expect(finishReasonFromRaw({ choices: [{ finish_reason: 'length' }] })).toBe('length');
    expect(finishReasonFromRaw({ choices: [{ finish_reason: null }] })).toBeUndefined();
    expect(finishReasonFromRaw({ stop_reason: 'end_turn' })).toBe('stop');
    expect(finishReasonFromRaw({ type: 'message_delta', delta: { stop_reason: 'tool_use' } })).toBe('tool-calls');
    expect(finishReasonFromRaw({ done_reason: 'length' })).toBe('length');
    expect(finishReasonFromRaw({ candidates: [{ finishReason: 'SAFETY' }] })).toBe('content-filter');
    expect(finishReasonFromRaw({ object: 'response', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })).toBe('length');
    expect(finishReasonFromRaw({ stopReason: 'guardrail_intervened' })).toBe('content-filter');
    expect(finishReasonFromRaw({ choices: [{ finish_reason: 'weird' }] })).toBe('other');
    expect(finishReasonFromRaw({})).toBeUndefined();
  });
});
