import { testModelProvider, type ModelProviderScript } from '@rlms/core/conformance';
import { createOpenAIProvider } from '../src/index.js';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../src/testing/index.js';

for (const api of ['chat', 'responses'] as const) {
  let server: OpenAICompatibleServer | undefined;
  testModelProvider({
    name: `openai (${api === 'chat' ? 'Chat Completions' : 'Responses'} API, local server)`,
    create: async (script: ModelProviderScript) => {
      server = await startOpenAICompatibleServer({
        replies: script.replies,
        latencyMs: script.delayMs ?? 0,
        faultRules:
          script.error === undefined
            ? []
            : [{ when: () => true, fault: { type: 'http-error', status: 400, message: script.error } }],
        apiKey: 'conformance-key',
      });
      return createOpenAIProvider({ model: 'test-model', baseURL: server.baseURL, apiKey: 'conformance-key', api });
    },
    supports: { stream: true, abort: true, usage: true, errors: true },
    cleanup: async () => {
      await server?.close();
      server = undefined;
    },
  });
}
