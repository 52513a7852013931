/**
 * Recursive Language Models with the Vercel AI SDK.
 *
 * AI SDK models (here any OpenAI-compatible server through @ai-sdk/openai-compatible) run the
 * RLM (`fromAISDK`); the RLM answers over a log corpus far larger than a prompt, either as an AI
 * SDK model (`createRLMModel`, the default) or as a tool of an agent (`rlmTool`, `--mode agent`).
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B
 *   node index.ts --mode agent --file ./server.log --question "Why did checkout fail?"
 *
 * The answer goes to stdout; progress and usage go to stderr.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createRLMModel, fromAISDK, rlmTool, type RLMToolAnswer, type RLMToolOutput } from '@rlms/ai-sdk';
import type { RLMSettings } from '@rlms/core';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { stepCountIs, streamText, type LanguageModelUsage } from 'ai';
import { syntheticLogs } from './synthetic-logs.ts';

const { values: args } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    model: { type: 'string', default: 'gpt-4o-mini' },
    'sub-model': { type: 'string' },
    mode: { type: 'string', default: 'model' },
    file: { type: 'string' },
    'size-mb': { type: 'string', default: '5' },
    question: { type: 'string', default: 'Which services logged errors, how many times each, and what caused them?' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help === true) {
  process.stdout.write(`Usage: node index.ts [--base-url URL] [--api-key KEY] [--model NAME] [--sub-model NAME]
                     [--mode model|agent] [--file PATH | --size-mb N] [--question TEXT]

Runs an RLM through the Vercel AI SDK over a large log (generated, or --file): --mode model uses
createRLMModel with generateText/streamText; --mode agent gives an agent the rlmTool.
Needs OPENAI_API_KEY, or --base-url of any OpenAI-compatible server (Ollama, vLLM…).
`);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

if (args.mode !== 'model' && args.mode !== 'agent') fail(`--mode must be "model" or "agent", got "${args.mode}".`);
const baseURL = args['base-url'] ?? 'https://api.openai.com/v1';
const apiKey = args['api-key'] ?? process.env.OPENAI_API_KEY;
if (args['base-url'] === undefined && apiKey === undefined) {
  fail('set OPENAI_API_KEY, or point --base-url at an OpenAI-compatible server (vLLM, Ollama, llama.cpp…).');
}
const sizeMb = Number(args['size-mb']);
if (!(sizeMb > 0)) fail(`--size-mb must be a positive number, got "${args['size-mb']}".`);

const corpus = args.file === undefined ? syntheticLogs(sizeMb) : await readFile(args.file, 'utf8');
process.stderr.write(`corpus: ${corpus.length.toLocaleString('en-US')} characters${args.file === undefined ? ' (synthetic logs)' : ` from ${args.file}`}\n`);

// 1. Any AI SDK model as the RLM's root model and sub-model.
const provider = createOpenAICompatible({ name: 'openai', baseURL, ...(apiKey === undefined ? {} : { apiKey }), includeUsage: true });
const sandbox = createLocalSandbox();
const settings: RLMSettings = {
  model: fromAISDK(provider.chatModel(args.model)),
  subModel: fromAISDK(provider.chatModel(args['sub-model'] ?? args.model)),
  sandbox,
  maxIterations: 15,
};

function formatUsage(label: string, usage: Pick<LanguageModelUsage, 'inputTokens' | 'outputTokens'>): string {
  return `${label}: ${usage.inputTokens ?? '?'} input + ${usage.outputTokens ?? '?'} output tokens`;
}

try {
  if (args.mode === 'model') {
    // 2. The RLM as an AI SDK model: the long part of the prompt becomes its context.
    const result = streamText({
      model: createRLMModel({ settings }),
      messages: [{ role: 'user', content: [{ type: 'text', text: corpus }, { type: 'text', text: args.question }] }],
    });
    for await (const part of result.fullStream) {
      if (part.type === 'reasoning-delta') process.stderr.write(`  ${part.text}`);
      else if (part.type === 'text-delta') process.stdout.write(part.text);
      else if (part.type === 'error') throw part.error;
    }
    process.stdout.write('\n');
    const metadata = (await result.providerMetadata)?.rlms as { iterations?: number; subcalls?: number } | undefined;
    process.stderr.write(`${formatUsage('usage (whole RLM run)', await result.totalUsage)}; ${metadata?.iterations} iterations, ${metadata?.subcalls} sub-calls\n`);
  } else {
    // 3. The RLM as a tool: an agent asks it questions about a corpus it could never read itself.
    const result = streamText({
      model: provider.chatModel(args.model),
      tools: { searchLogs: rlmTool({ settings, context: { 'server.log': corpus } }) },
      stopWhen: stepCountIs(4),
      system: 'Answer questions about the server logs. Use the searchLogs tool; never guess.',
      prompt: args.question,
    });
    let toolUsage: RLMToolAnswer['usage'] | undefined;
    for await (const part of result.fullStream) {
      if (part.type === 'tool-result') {
        const output = part.output as RLMToolOutput;
        if (output.type === 'progress') process.stderr.write(`  [rlm] ${output.message}\n`);
        else if (part.preliminary !== true) toolUsage = output.usage;
      } else if (part.type === 'text-delta') process.stdout.write(part.text);
      else if (part.type === 'error') throw part.error;
    }
    process.stdout.write('\n');
    process.stderr.write(`${formatUsage('usage (agent)', await result.totalUsage)}\n`);
    if (toolUsage !== undefined) process.stderr.write(`${formatUsage('usage (RLM tool)', toolUsage)}; ${toolUsage.calls} model calls\n`);
  }
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await sandbox.close?.();
}
