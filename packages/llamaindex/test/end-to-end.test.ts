import { createLocalSandbox } from '@rlms/sandbox-local';
import { testRLMEndToEnd } from '@rlms/core/conformance';
import { fromLlamaIndex } from '../src/index.js';
import { ScriptedLLM } from './scripted-llm.js';

// The core end-to-end RLM test, with the root model being a LlamaIndex LLM behind fromLlamaIndex.
testRLMEndToEnd({
  name: 'fromLlamaIndex root model + local sandbox',
  sandbox: () => createLocalSandbox(),
  rootModel: (replies) => fromLlamaIndex(new ScriptedLLM({ replies })),
  scenarios: 'main',
});

// The same through streamed LlamaIndex chat calls.
testRLMEndToEnd({
  name: 'fromLlamaIndex root model (streamGenerate) + local sandbox',
  sandbox: () => createLocalSandbox(),
  rootModel: (replies) => fromLlamaIndex(new ScriptedLLM({ replies, chunkChars: 16 }), { streamGenerate: true }),
  scenarios: 'main',
  contextBytes: 2_000_000,
});
