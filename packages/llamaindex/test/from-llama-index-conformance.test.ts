import { OpenAI } from '@llamaindex/openai';
import { testModelProvider } from '@rlms/core/conformance';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { fromLlamaIndex } from '../src/index.js';
import { ScriptedLLM } from './scripted-llm.js';

// A LlamaIndex LLM built on @llamaindex/core's ToolCallLLM, scripted in memory.
let scripted: ScriptedLLM | undefined;
testModelProvider({
  name: 'fromLlamaIndex (scripted ToolCallLLM)',
  create: (script) => {
    scripted = new ScriptedLLM({
      replies: script.error === undefined ? script.replies : () => new Error(script.error),
      ...(script.delayMs === undefined ? {} : { delayMs: script.delayMs }),
    });
    return fromLlamaIndex(scripted);
  },
  supports: { stream: true, abort: true, usage: true, errors: true },
  cleanup: () => {
    scripted?.dispose();
    scripted = undefined;
  },
});

// The real OpenAI LLM of @llamaindex/openai, over a local OpenAI-compatible HTTP server.
for (const streamGenerate of [false, true]) {
  let server: OpenAICompatibleServer | undefined;
  testModelProvider({
    name: `fromLlamaIndex (@llamaindex/openai over a local server${streamGenerate ? ', streamGenerate' : ''})`,
    create: async (script) => {
      server = await startOpenAICompatibleServer({
        replies: script.replies,
        latencyMs: script.delayMs ?? 0,
        faultRules: script.error === undefined ? [] : [{ when: () => true, fault: { type: 'http-error', status: 400, message: script.error } }],
        apiKey: 'conformance-key',
      });
      const llm = new OpenAI({ model: 'test-model', baseURL: server.baseURL, apiKey: 'conformance-key', maxRetries: 0 });
      return fromLlamaIndex(llm, {
        streamGenerate,
        additionalChatOptions: ({ stream }) => (stream ? { stream_options: { include_usage: true } } : undefined),
      });
    },
    supports: { stream: true, abort: true, usage: true, errors: true },
    cleanup: async () => {
      await server?.close();
      server = undefined;
    },
  });
}
