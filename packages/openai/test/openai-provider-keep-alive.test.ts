import { afterEach, describe, expect, it } from 'vitest';
import type { ModelCallOptions } from '@rlms/core';
import { createOpenAIProvider, type OpenAIProvider } from '../src/index.js';
import { startConnectionCountingProxy, type ConnectionCountingProxy } from './connection-counting-proxy.js';
import { useServer } from './server-fixture.js';

/**
 * Sub-calls reuse TCP connections (issue #22): the provider builds one SDK client, and Node's
 * fetch (undici) keeps connections alive, so N calls at concurrency C open a bounded number of
 * connections, not N. undici may open up to 2·C: a worker's next request can be dispatched in the
 * same tick its previous response ended, before that connection is marked free again.
 */
const { start } = useServer();
let proxy: ConnectionCountingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function countingProvider(): Promise<{ provider: OpenAIProvider; proxy: ConnectionCountingProxy }> {
  const server = await start({ replies: ({ index }) => `reply ${index}` });
  proxy = await startConnectionCountingProxy(server.port);
  const provider = createOpenAIProvider({ model: 'test-model', baseURL: `http://127.0.0.1:${proxy.port}/v1`, apiKey: 'test-key' });
  return { provider, proxy };
}

/** Runs `calls` calls with at most `concurrency` in flight; returns the reply texts. */
async function runCalls(
  call: (options: ModelCallOptions) => Promise<string>,
  calls: number,
  concurrency: number,
  prompt: (index: number) => string,
): Promise<string[]> {
  const texts: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const index = next++;
      texts.push(await call({ messages: [{ role: 'user', content: prompt(index) }] }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return texts;
}

describe('keep-alive connections', () => {
  it('reuses connections for sequential calls', async () => {
    const { provider, proxy } = await countingProvider();
    const texts = await runCalls(async (options) => (await provider.generate(options)).text, 20, 1, (index) => `question ${index}`);
    expect(texts).toHaveLength(20);
    expect(proxy.connections).toBeGreaterThanOrEqual(1);
    expect(proxy.connections).toBeLessThanOrEqual(2);
  });

  it('opens at most 2 × concurrency connections for many concurrent calls with 200 KB prompts', async () => {
    const concurrency = 4;
    const { provider, proxy } = await countingProvider();
    const prompt = (index: number): string => `chunk ${index}: ${'lorem ipsum dolor sit amet '.repeat(7_600)}`;
    const texts = await runCalls(async (options) => (await provider.generate(options)).text, 40, concurrency, prompt);
    expect(new Set(texts).size).toBe(40);
    expect(proxy.connections).toBeGreaterThanOrEqual(1);
    expect(proxy.connections).toBeLessThanOrEqual(2 * concurrency);
  });

  it('keeps reusing connections across streamed and plain calls', async () => {
    const concurrency = 3;
    const { provider, proxy } = await countingProvider();
    const streamed = async (options: ModelCallOptions): Promise<string> => {
      let text = '';
      for await (const part of provider.stream(options)) if (part.type === 'text-delta') text += part.delta;
      return text;
    };
    const texts = await runCalls(
      (options) => (options.messages[0]?.content.endsWith('s') === true ? streamed(options) : provider.generate(options).then((reply) => reply.text)),
      30,
      concurrency,
      (index) => `question ${index}${index % 2 === 0 ? 's' : 'p'}`,
    );
    expect(texts.every((text) => text.startsWith('reply '))).toBe(true);
    expect(proxy.connections).toBeLessThanOrEqual(2 * concurrency);
  });
});
