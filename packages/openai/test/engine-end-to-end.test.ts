/**
 * The core end-to-end RLM test with this provider as the root model, over real HTTP to the local
 * OpenAI-compatible test server (scripted replies), with the real `openai` SDK and the local sandbox.
 */
import { testRLMEndToEnd } from '@rlms/core/conformance';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../src/testing/index.js';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { afterAll } from 'vitest';
import { createOpenAIProvider } from '../src/index.js';

const servers: OpenAICompatibleServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

testRLMEndToEnd({
  name: 'OpenAI provider → local OpenAI-compatible server',
  sandbox: () => createLocalSandbox(),
  rootModel: async (replies) => {
    const server = await startOpenAICompatibleServer({ replies: [...replies] });
    servers.push(server);
    return createOpenAIProvider({ baseURL: server.baseURL, model: 'scripted-root', apiKey: 'test-key' });
  },
});
