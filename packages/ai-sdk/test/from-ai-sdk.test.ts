import { APICallError, LoadAPIKeyError, type LanguageModelV2, type LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { ConfigurationError, ModelProviderError } from '@rlms/core';
import { testModelProvider } from '@rlms/core/conformance';
import { MockLanguageModelV3, MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { fromAISDK } from '../src/index.js';
import { scriptedLanguageModel, v4Usage } from './helpers.js';

testModelProvider({
  name: 'fromAISDK(MockLanguageModelV4)',
  create: (script) =>
    fromAISDK(
      scriptedLanguageModel({
        replies: script.replies,
        ...(script.delayMs === undefined ? {} : { delayMs: script.delayMs }),
        ...(script.error === undefined ? {} : { error: script.error }),
      }),
    ),
  supports: { stream: true, abort: true, usage: true, errors: true },
});

const USER = [{ role: 'user' as const, content: 'Hi' }];

function failing(error: unknown): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: async () => {
      throw error;
    },
    doStream: async () => {
      throw error;
    },
  });
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('fromAISDK', () => {
  it('maps V4 usage exactly: input (cached included), cached, output (reasoning included), reasoning', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async () => ({
        content: [{ type: 'reasoning', text: 'hidden' }, { type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }],
        finishReason: { unified: 'length', raw: 'max_tokens' },
        usage: v4Usage(1200, 300, { cacheRead: 1000, reasoning: 120 }),
        response: { modelId: 'claude-x-20250101' },
        warnings: [],
      }),
    });
    const response = await fromAISDK(model).generate({ messages: USER });
    expect(response).toEqual({
      text: 'Hello there',
      usage: { inputTokens: 1200, cachedInputTokens: 1000, outputTokens: 300, reasoningTokens: 120 },
      finishReason: 'length',
      responseModelId: 'claude-x-20250101',
    });
  });

  it('derives a missing total from reported parts and leaves unreported fields undefined', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'x' }],
        finishReason: { unified: 'interrupted', raw: undefined },
        usage: {
          inputTokens: { total: undefined, noCache: 40, cacheRead: 60, cacheWrite: undefined },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
        warnings: [],
      }),
    });
    const response = await fromAISDK(model).generate({ messages: USER });
    expect(response.usage).toEqual({ inputTokens: 100, cachedInputTokens: 60 });
    expect(response.finishReason).toBe('other');
  });

  it('sends the conversation as an AI SDK prompt with the call options and the settings', async () => {
    const model = scriptedLanguageModel({ replies: ['ok'] });
    const provider = fromAISDK(model, {
      contextWindowTokens: 200_000,
      providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
      headers: { 'x-team': 'rlms' },
    });
    expect(provider.contextWindowTokens).toBe(200_000);
    expect(provider.provider).toBe('mock-provider');
    await provider.generate({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'A' },
        { role: 'user', content: 'Q2' },
      ],
      maxOutputTokens: 50,
      temperature: 0.2,
      stopSequences: ['END'],
      headers: { 'x-call': '1' },
    });
    const call = model.doGenerateCalls[0]!;
    expect(call.prompt).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: [{ type: 'text', text: 'Q' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A' }] },
      { role: 'user', content: [{ type: 'text', text: 'Q2' }] },
    ]);
    expect(call).toMatchObject({
      maxOutputTokens: 50,
      temperature: 0.2,
      stopSequences: ['END'],
      headers: { 'x-team': 'rlms', 'x-call': '1' },
      providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
    });
  });

  it('supports V3 models (nested usage, finish reason object)', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'v3 says hi' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: v4Usage(10, 4, { cacheRead: 2 }),
        warnings: [],
      }),
    });
    const response = await fromAISDK(model).generate({ messages: USER });
    expect(response).toMatchObject({ text: 'v3 says hi', finishReason: 'stop', usage: { inputTokens: 10, cachedInputTokens: 2, outputTokens: 4 } });
  });

  it('supports V2 models (flat usage, string finish reason), generate and stream', async () => {
    const model: LanguageModelV2 = {
      specificationVersion: 'v2',
      provider: 'legacy',
      modelId: 'legacy-1',
      supportedUrls: {},
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'v2 text' }],
        finishReason: 'unknown',
        usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10, cachedInputTokens: 5, reasoningTokens: 1 },
        warnings: [],
      }),
      doStream: async () => ({
        stream: convertArrayToReadableStream([
          { type: 'text-delta', id: '1', delta: 'v2 ' },
          { type: 'text-delta', id: '1', delta: 'stream' },
          { type: 'finish', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 } },
        ]),
      }),
    };
    const provider = fromAISDK(model);
    expect(await provider.generate({ messages: USER })).toEqual({
      text: 'v2 text',
      finishReason: 'unknown',
      usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10, cachedInputTokens: 5, reasoningTokens: 1 },
    });
    const parts = [];
    for await (const part of provider.stream({ messages: USER })) parts.push(part);
    expect(parts).toEqual([
      { type: 'text-delta', delta: 'v2 ' },
      { type: 'text-delta', delta: 'stream' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 } },
    ]);
  });

  it('maps a retryable APICallError to a retryable ModelProviderError with status and retry-after', async () => {
    const cause = new APICallError({
      message: 'Rate limit reached',
      url: 'https://api.example.test',
      requestBodyValues: {},
      statusCode: 429,
      responseHeaders: { 'retry-after': '3' },
      isRetryable: true,
    });
    const error = await captureError(fromAISDK(failing(cause)).generate({ messages: USER }));
    expect(ModelProviderError.isInstance(error)).toBe(true);
    const failure = error as ModelProviderError;
    expect(failure).toMatchObject({ statusCode: 429, retryable: true, retryAfterMs: 3000, provider: 'mock-provider', modelId: 'mock-model-id' });
    expect(failure.message).toContain('Rate limit reached');
    expect(failure.cause).toBe(cause);
  });

  it('maps a non-retryable APICallError (streaming too) and keeps the status code', async () => {
    const cause = new APICallError({ message: 'Bad request', url: 'u', requestBodyValues: {}, statusCode: 400, isRetryable: false });
    const provider = fromAISDK(failing(cause));
    const error = (await captureError(provider.generate({ messages: USER }))) as ModelProviderError;
    expect(error).toMatchObject({ name: 'ModelProviderError', statusCode: 400, retryable: false });
    const streamed = (await captureError((async () => {
      for await (const part of provider.stream({ messages: USER })) void part;
    })())) as ModelProviderError;
    expect(streamed).toMatchObject({ name: 'ModelProviderError', statusCode: 400, retryable: false });
  });

  it('turns an error part of the stream into a ModelProviderError after the deltas before it', async () => {
    const parts: LanguageModelV4StreamPart[] = [
      { type: 'text-delta', id: 't', delta: 'partial' },
      { type: 'error', error: new APICallError({ message: 'overloaded', url: 'u', requestBodyValues: {}, statusCode: 529, isRetryable: true }) },
    ];
    const model = new MockLanguageModelV4({ doStream: async () => ({ stream: convertArrayToReadableStream(parts) }) });
    const seen: string[] = [];
    const error = await captureError((async () => {
      for await (const part of fromAISDK(model).stream({ messages: USER })) if (part.type === 'text-delta') seen.push(part.delta);
    })());
    expect(seen).toEqual(['partial']);
    expect(error).toMatchObject({ name: 'ModelProviderError', statusCode: 529, retryable: true });
  });

  it('maps a missing API key to a ConfigurationError', async () => {
    const cause = new LoadAPIKeyError({ message: 'Anthropic API key is missing. Pass it using the apiKey parameter or the ANTHROPIC_API_KEY environment variable.' });
    const error = await captureError(fromAISDK(failing(cause)).generate({ messages: USER }));
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('ANTHROPIC_API_KEY');
  });

  it('rejects promptly with an AbortError even when the model ignores its abort signal', async () => {
    const model = scriptedLanguageModel({ replies: ['late'], delayMs: 10_000, ignoreAbort: true });
    const controller = new AbortController();
    const pending = captureError(fromAISDK(model).generate({ messages: USER, abortSignal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ name: 'AbortError' });
  });

  it('ends a stream without a finish part with finish reason unknown and no usage', async () => {
    const model = new MockLanguageModelV4({
      doStream: async () => ({ stream: convertArrayToReadableStream<LanguageModelV4StreamPart>([{ type: 'text-delta', id: 't', delta: 'cut' }]) }),
    });
    const parts = [];
    for await (const part of fromAISDK(model).stream({ messages: USER })) parts.push(part);
    expect(parts).toEqual([{ type: 'text-delta', delta: 'cut' }, { type: 'finish', finishReason: 'unknown', usage: {} }]);
  });

  it('rejects invalid models and settings with ConfigurationError', () => {
    expect(() => fromAISDK('openai/gpt-4o' as never)).toThrow(/gateway\('openai\/gpt-4o'\)/);
    expect(() => fromAISDK({ specificationVersion: 'v1', provider: 'p', modelId: 'm', doGenerate() {}, doStream() {} } as never)).toThrow(
      /specification v4, v3 and v2/,
    );
    expect(() => fromAISDK({} as never)).toThrow(ConfigurationError);
    expect(() => fromAISDK(scriptedLanguageModel({ replies: [] }), { contextWindowTokens: -1 })).toThrow(/contextWindowTokens/);
  });
});
