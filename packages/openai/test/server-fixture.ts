import { afterEach } from 'vitest';
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type OpenAICompatibleServerOptions } from '../src/testing/index.js';
import { createOpenAIProvider, type OpenAIProvider, type OpenAIProviderSettings } from '../src/index.js';

/**
 * One local server per test: `start()` launches it, an `afterEach` closes it. `provider()` points
 * a provider at it (one request per call: the engine owns retries).
 */
export function useServer(): {
  start: (options?: OpenAICompatibleServerOptions) => Promise<OpenAICompatibleServer>;
  provider: (settings?: Partial<OpenAIProviderSettings>) => OpenAIProvider;
} {
  let server: OpenAICompatibleServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    start: async (options = {}) => {
      await server?.close();
      server = await startOpenAICompatibleServer(options);
      return server;
    },
    provider: (settings = {}) => {
      if (server === undefined) throw new Error('start() the server first');
      return createOpenAIProvider({
        model: 'test-model',
        baseURL: server.baseURL,
        apiKey: 'test-key',
        ...settings,
      });
    },
  };
}
