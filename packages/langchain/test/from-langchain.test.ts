import { ConfigurationError, ModelProviderError, type ModelStreamPart } from '@rlms/core';
import { testModelProvider } from '@rlms/core/conformance';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatGenerationChunk } from '@langchain/core/outputs';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { finishReasonFromMessage, fromLangChain, usageFromMessage } from '../src/index.js';

testModelProvider({
  name: 'fromLangChain(FakeListChatModel)',
  create: (script) => {
    const model = new FakeListChatModel({ responses: [...script.replies], ...(script.delayMs === undefined ? {} : { sleep: script.delayMs }) });
    return fromLangChain(script.error === undefined ? model : model.withConfig({ thrownErrorString: script.error }));
  },
});

const USAGE = {
  input_tokens: 120,
  output_tokens: 30,
  total_tokens: 150,
  input_token_details: { cache_read: 100 },
  output_token_details: { reasoning: 12 },
};

/** A FakeListChatModel whose replies carry usage_metadata and response_metadata, like real integrations. */
class FakeModelWithUsage extends FakeListChatModel {
  override _formatGeneration(text: string) {
    return {
      text,
      message: new AIMessage({ content: text, usage_metadata: USAGE, response_metadata: { finish_reason: 'length', model_name: 'fake-2025-01' } }),
    };
  }
  override _createResponseChunk(text: string, generationInfo?: Record<string, unknown>) {
    const last = generationInfo !== undefined;
    return new ChatGenerationChunk({
      text,
      message: new AIMessageChunk({
        content: text,
        ...(last ? { usage_metadata: USAGE, response_metadata: { finish_reason: 'stop', model_name: 'fake-2025-01' } } : {}),
      }),
    });
  }
}

testModelProvider({
  name: 'fromLangChain(a model reporting usage_metadata)',
  create: (script) => {
    const model = new FakeModelWithUsage({ responses: [...script.replies], generationInfo: {}, ...(script.delayMs === undefined ? {} : { sleep: script.delayMs }) });
    return fromLangChain(script.error === undefined ? model : model.withConfig({ thrownErrorString: script.error }));
  },
  supports: { usage: true },
});

describe('fromLangChain', () => {
  it('maps usage_metadata, finish reason and model name, never inventing usage', async () => {
    const withUsage = fromLangChain(new FakeModelWithUsage({ responses: ['hello'] }), { modelId: 'fake' });
    const response = await withUsage.generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response).toEqual({
      text: 'hello',
      usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150, cachedInputTokens: 100, reasoningTokens: 12 },
      finishReason: 'length',
      responseModelId: 'fake-2025-01',
    });

    const plain = fromLangChain(new FakeListChatModel({ responses: ['hello'] }));
    const bare = await plain.generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(bare.usage).toEqual({});
    expect(bare.finishReason).toBe('unknown');
    expect(bare.responseModelId).toBeUndefined();
  });

  it('streams deltas and reports the aggregated usage in the finish part', async () => {
    const provider = fromLangChain(new FakeModelWithUsage({ responses: ['abc'], generationInfo: {} }));
    const parts: ModelStreamPart[] = [];
    for await (const part of provider.stream({ messages: [{ role: 'user', content: 'hi' }] })) parts.push(part);
    expect(parts).toEqual([
      { type: 'text-delta', delta: 'a' },
      { type: 'text-delta', delta: 'b' },
      { type: 'text-delta', delta: 'c' },
      {
        type: 'finish',
        usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150, cachedInputTokens: 100, reasoningTokens: 12 },
        finishReason: 'stop',
        responseModelId: 'fake-2025-01',
      },
    ]);
  });

  it('sends system, user and assistant messages as LangChain messages, with stop sequences', async () => {
    const seen: { messages: BaseMessage[]; stop: unknown }[] = [];
    class Recording extends FakeListChatModel {
      override async _generate(messages: BaseMessage[], options?: this['ParsedCallOptions']) {
        seen.push({ messages, stop: options?.stop });
        return { generations: [this._formatGeneration('ok')] };
      }
    }
    const provider = fromLangChain(new Recording({ responses: ['ok'] }));
    await provider.generate({
      messages: [
        { role: 'system', content: 'be terse' },
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      stopSequences: ['END'],
    });
    expect(seen[0]!.messages.map((message) => [message.getType(), message.text])).toEqual([
      ['system', 'be terse'],
      ['human', 'q'],
      ['ai', 'a'],
    ]);
    expect(seen[0]!.stop).toEqual(['END']);
  });

  it('names the provider and model from LangSmith params, bindings included, or from settings', () => {
    const model = new FakeListChatModel({ responses: [] });
    const provider = fromLangChain(model);
    expect(provider.provider).toBe('FakeListChatModel');
    expect(provider.modelId).toBe('FakeListChatModel');
    expect(provider.contextWindowTokens).toBeUndefined();
    const bound = fromLangChain(model.withConfig({ tags: ['x'] }));
    expect(bound.provider).toBe('FakeListChatModel');
    const named = fromLangChain(model, { provider: 'acme', modelId: 'acme-large', contextWindowTokens: 32_000 });
    expect([named.provider, named.modelId, named.contextWindowTokens]).toEqual(['acme', 'acme-large', 32_000]);
  });

  it('adapts a runnable ending in a string output parser', async () => {
    const provider = fromLangChain(new FakeListChatModel({ responses: ['plain text'] }).pipe(new StringOutputParser()));
    expect(provider.provider).toBe('FakeListChatModel');
    expect(await provider.generate({ messages: [{ role: 'user', content: 'hi' }] })).toEqual({ text: 'plain text', usage: {}, finishReason: 'unknown' });
  });

  it('wraps model errors in ModelProviderError, retryable for 429 and 5xx when the model does not retry itself', async () => {
    class Failing extends FakeListChatModel {
      override async _generate(): Promise<never> {
        throw Object.assign(new Error('Rate limit reached'), { status: 429, headers: { 'retry-after': '2' } });
      }
    }
    const failureOf = async (model: FakeListChatModel) =>
      (await fromLangChain(model, { modelId: 'm' })
        .generate({ messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught)) as ModelProviderError;
    const failure = await failureOf(new Failing({ responses: [], maxRetries: 0 }));
    expect(ModelProviderError.isInstance(failure)).toBe(true);
    expect(failure.message).toContain('Rate limit reached');
    expect([failure.statusCode, failure.retryable, failure.retryAfterMs]).toEqual([429, true, 2000]);
    // With LangChain's default maxRetries (6) the model has retried already: final for the engine.
    const retried = await failureOf(new Failing({ responses: [] }));
    expect([retried.statusCode, retried.retryable, retried.retryAfterMs]).toEqual([429, false, 2000]);
  });

  it('marks errors retryable for the engine only when the model does not retry on its own, without touching the model', () => {
    const retrying = new FakeListChatModel({ responses: [] });
    const single = new FakeListChatModel({ responses: [], maxRetries: 0 });
    expect(fromLangChain(retrying).engineRetries).toBe(false);
    expect(fromLangChain(single).engineRetries).toBe(true);
    expect(fromLangChain(single.withConfig({ tags: ['x'] })).engineRetries).toBe(true);
    expect(fromLangChain(single.pipe(new StringOutputParser())).engineRetries).toBe(true);
    expect(fromLangChain(single.withRetry({ stopAfterAttempt: 3 })).engineRetries).toBe(false);
    expect(fromLangChain(single.withRetry({ stopAfterAttempt: 1 })).engineRetries).toBe(true);
    // LangChain's per-call `maxRetries` overrides the model's, from callOptions or a binding.
    expect(fromLangChain(retrying, { callOptions: { maxRetries: 0 } }).engineRetries).toBe(true);
    expect(fromLangChain(retrying.withConfig({ maxRetries: 0 })).engineRetries).toBe(true);
    expect(fromLangChain(single, { callOptions: { maxRetries: 3 } }).engineRetries).toBe(false);
    // Forced either way.
    expect(fromLangChain(retrying, { engineRetries: true }).engineRetries).toBe(true);
    expect(fromLangChain(single, { engineRetries: false }).engineRetries).toBe(false);
    expect(() => fromLangChain(single, { engineRetries: 'yes' as never })).toThrow(/engineRetries/);
    expect((retrying.caller as unknown as { maxRetries: number }).maxRetries).toBe(6);
    expect((single.caller as unknown as { maxRetries: number }).maxRetries).toBe(0);
  });

  it('rejects what is not a chat model, and bad settings, with ConfigurationError', () => {
    expect(() => fromLangChain({} as never)).toThrow(ConfigurationError);
    expect(() => fromLangChain(new FakeListChatModel({ responses: [] }), { contextWindowTokens: -5 })).toThrow(/contextWindowTokens/);
  });

  it('reads finish reasons of other integrations', () => {
    const reason = (metadata: Record<string, unknown>) => finishReasonFromMessage(new AIMessage({ content: '', response_metadata: metadata }));
    expect(reason({ stop_reason: 'end_turn' })).toBe('stop');
    expect(reason({ stop_reason: 'max_tokens' })).toBe('length');
    expect(reason({ finish_reason: 'tool_calls' })).toBe('tool-calls');
    expect(reason({ finishReason: 'SAFETY' })).toBe('content-filter');
    expect(reason({ finish_reason: 'something_new' })).toBe('other');
    expect(usageFromMessage(new AIMessage('no usage'))).toEqual({});
  });
});
