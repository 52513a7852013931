import { describe, expect, it } from 'vitest';
import { ModelProviderError, type ModelStreamPart } from '@rlms/core';
import { useServer } from './server-fixture.js';

const messages = [{ role: 'user' as const, content: 'Stream please' }];
const { start, provider } = useServer();

async function collect(stream: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function deltas(parts: readonly ModelStreamPart[]): string[] {
  return parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []));
}

describe.each(['chat', 'responses'] as const)('stream() over the %s API', (api) => {
  it('yields deltas and a final part with usage and cost', async () => {
    const server = await start({
      replies: [{ text: 'The quick brown fox.', usage: { inputTokens: 1000, cachedInputTokens: 100, outputTokens: 50, reasoningTokens: 10 } }],
    });
    const parts = await collect(provider({ model: 'gpt-4o-mini', api }).stream({ messages }));
    expect(deltas(parts).length).toBeGreaterThan(1);
    expect(deltas(parts).join('')).toBe('The quick brown fox.');
    const finish = parts.at(-1);
    expect(finish).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 1000, cachedInputTokens: 100, outputTokens: 50, reasoningTokens: 10, totalTokens: 1050 },
      responseModelId: 'gpt-4o-mini',
    });
    // gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per million tokens.
    expect((finish as { costUsd?: number }).costUsd).toBeCloseTo((900 * 0.15 + 100 * 0.075 + 50 * 0.6) / 1e6, 12);
    expect(server.modelRequests[0]?.stream).toBe(true);
    if (api === 'chat') expect(server.modelRequests[0]?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('fails with a typed error, one request, when the stream is cut after partial output', async () => {
    const server = await start({
      replies: ['one two three four five'],
      faults: [{ type: 'truncated-stream', afterChunks: 2 }],
    });
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of provider({ api }).stream({ messages })) {
        if (part.type === 'text-delta') received.push(part.delta);
      }
    })().catch((caught: unknown) => caught);
    expect(ModelProviderError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain('partial output');
    expect(received.join('')).toBe('one two ');
    expect(server.modelRequests).toHaveLength(1);
  });

  it('a stream cut before its first delta: one request, a retryable error (the caller retries)', async () => {
    const server = await start({ replies: ['complete reply'], faults: [{ type: 'truncated-stream', afterChunks: 0 }] });
    const error = await collect(provider({ api }).stream({ messages })).catch((caught: unknown) => caught);
    expect(ModelProviderError.isInstance(error), String(error)).toBe(true);
    expect((error as ModelProviderError).retryable).toBe(true);
    expect(server.modelRequests).toHaveLength(1);
  });

  it('a 429 before the stream starts: one request, retryable with retryAfterMs', async () => {
    const server = await start({ replies: ['after wait'], faults: [{ type: 'rate-limit', retryAfterMs: 20 }] });
    const error = await collect(provider({ api }).stream({ messages })).catch((caught: unknown) => caught);
    expect([(error as ModelProviderError).statusCode, (error as ModelProviderError).retryable, (error as ModelProviderError).retryAfterMs]).toEqual([429, true, 20]);
    expect(server.modelRequests.map((request) => request.status)).toEqual([429]);
  });

  it('cuts a stream that stalls between chunks after timeoutMs', async () => {
    await start({ replies: ['slow words here'], streamChunkDelayMs: 2_000 });
    const error = await collect(provider({ api, timeoutMs: 150 }).stream({ messages })).catch(
      (caught: unknown) => caught,
    );
    expect(ModelProviderError.isInstance(error), String(error)).toBe(true);
    expect((error as ModelProviderError).code).toBe('timeout');
  });

  it('rejects with an AbortError when aborted after the first delta', async () => {
    await start({ replies: ['first second third'], streamChunkDelayMs: 100 });
    const controller = new AbortController();
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of provider({ api }).stream({ messages, abortSignal: controller.signal })) {
        if (part.type === 'text-delta') {
          received.push(part.delta);
          controller.abort();
        }
      }
    })().catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(received).toEqual(['first ']);
  });

  it('fails with a typed error on malformed stream data', async () => {
    await start({ replies: ['x'], faults: [{ type: 'malformed-json' }] });
    const error = await collect(provider({ api }).stream({ messages })).catch((caught: unknown) => caught);
    expect(ModelProviderError.isInstance(error), String(error)).toBe(true);
    expect((error as ModelProviderError).code).toBe('invalid-response');
  });

  it('applies stop sequences across delta boundaries for reasoning models', async () => {
    await start({ replies: ['alpha beta <<END>> gamma'] });
    const parts = await collect(provider({ api, model: 'o3-mini' }).stream({ messages, stopSequences: ['<<END>>'] }));
    expect(deltas(parts).join('')).toBe('alpha beta ');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });
});
