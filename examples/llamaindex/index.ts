/**
 * A LlamaIndex.TS query engine backed by a Recursive Language Model.
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B   # any OpenAI-compatible server
 *
 * The documents in ./docs are loaded as a `context` dict in a Python REPL (the local sandbox: a
 * host python3 process, not a security boundary). The root model writes code to search them and
 * asks sub-models about the parts it needs; the answer streams after the progress, followed by the
 * documents the run actually read.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Document } from '@llamaindex/core/schema';
import { OpenAI } from '@llamaindex/openai';
import { RLMQueryEngine, fromLlamaIndex, type RLMProgressMetadata, type RLMResponseMetadata } from '@rlms/llamaindex';
import { createLocalSandbox } from '@rlms/sandbox-local';

const USAGE = `Usage: node index.ts [--question "…"] [--model gpt-4o-mini] [--sub-model <id>] [--base-url <url>] [--docs <dir>]
Needs OPENAI_API_KEY in the environment, or --base-url of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio…).`;

const { values } = parseArgs({
  options: {
    question: { type: 'string', default: 'Which services retry failed calls, and how? Name the documents you used.' },
    model: { type: 'string', default: 'gpt-4o-mini' },
    'sub-model': { type: 'string' },
    'base-url': { type: 'string' },
    docs: { type: 'string', default: join(import.meta.dirname, 'docs') },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const baseURL = values['base-url'];
const apiKey = process.env['OPENAI_API_KEY'] ?? (baseURL === undefined ? undefined : 'not-needed');
if (apiKey === undefined) {
  console.error(`Set OPENAI_API_KEY, or pass --base-url of an OpenAI-compatible server.\n${USAGE}`);
  process.exit(1);
}

// Any LlamaIndex LLM works; usage is read from the responses (stream_options asks for it on streams).
function llm(model: string) {
  const chat = new OpenAI({ model, apiKey, maxRetries: 2, ...(baseURL === undefined ? {} : { baseURL }) });
  return fromLlamaIndex(chat, {
    additionalChatOptions: ({ stream }) => (stream ? { stream_options: { include_usage: true } } : undefined),
  });
}

const files = (await readdir(values.docs)).filter((name) => name.endsWith('.md')).sort();
const documents = await Promise.all(
  files.map(async (name) => new Document({ text: await readFile(join(values.docs, name), 'utf8'), metadata: { file_name: name } })),
);

const sandbox = createLocalSandbox();
try {
  const engine = RLMQueryEngine.fromDocuments(documents, {
    settings: { model: llm(values.model), subModel: llm(values['sub-model'] ?? values.model), sandbox, maxIterations: 12 },
  });

  const stream = await engine.query({ query: values.question, stream: true });
  let metadata: RLMResponseMetadata | undefined;
  for await (const chunk of stream) {
    const progress = chunk.metadata['rlmProgress'] as RLMProgressMetadata | undefined;
    if (progress !== undefined) {
      console.error(`· ${progress.message}`);
      continue;
    }
    process.stdout.write(chunk.delta);
    metadata = chunk.metadata['rlm'] as RLMResponseMetadata;
  }
  if (metadata !== undefined) {
    const tokens = metadata.usage.total.totalTokens.toLocaleString('en-US');
    console.log(`\n\nSources: ${metadata.sourceKeys.join(', ') || '(none)'}`);
    console.log(`Status: ${metadata.status}, ${metadata.iterations} iterations, ${metadata.subcalls} sub-calls, ${tokens} tokens`);
  }
} finally {
  await sandbox.close();
}
