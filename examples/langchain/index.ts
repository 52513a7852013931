/**
 * Replacing a LangChain.js retrieval chain with RLMChain.
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B
 *   node index.ts --dir ./docs --question "Which settings were removed in 3.0?"
 *
 * BEFORE: the usual retrieval pipeline. Split, embed, keep the top 4 chunks, stuff them in a prompt.
 * A question whose answer is spread over many documents ("how has the refund window changed over
 * time?") gets whatever 4 chunks look most similar, and the answer is only as good as that guess.
 *
 *   import { createRetrievalChain } from '@langchain/classic/chains/retrieval';
 *   import { createStuffDocumentsChain } from '@langchain/classic/chains/combine_documents';
 *   import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
 *   import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
 *   import { ChatPromptTemplate } from '@langchain/core/prompts';
 *   import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
 *
 *   const llm = new ChatOpenAI({ model: 'gpt-4o-mini' });
 *   const chunks = await new RecursiveCharacterTextSplitter({ chunkSize: 1000 }).splitDocuments(documents);
 *   const store = await MemoryVectorStore.fromDocuments(chunks, new OpenAIEmbeddings());
 *   const prompt = ChatPromptTemplate.fromTemplate('Answer from this context only:\n{context}\n\nQuestion: {input}');
 *   const chain = await createRetrievalChain({
 *     retriever: store.asRetriever({ k: 4 }),
 *     combineDocsChain: await createStuffDocumentsChain({ llm, prompt }),
 *   });
 *   const { answer, context } = await chain.invoke({ input: question });
 *
 * AFTER: no splitter, no embeddings, no top-k. RLMChain loads every document into a Python REPL;
 * the model writes code that greps them and asks sub-calls about the ones that matter. Same call,
 * same output fields (`answer`, and `context` = the documents it actually used), same `llm`.
 *
 * The answer and its sources go to stdout; progress and usage go to stderr.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Document } from '@langchain/core/documents';
import { ChatOpenAI } from '@langchain/openai';
import { RLMChain, fromLangChain, type RLMChainOutput } from '@rlms/langchain';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { releaseNotes } from './release-notes.ts';

const { values: args } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    model: { type: 'string', default: 'gpt-4o-mini' },
    'sub-model': { type: 'string' },
    dir: { type: 'string' },
    notes: { type: 'string', default: '400' },
    question: { type: 'string', default: 'How has the refund window changed over time, and in which releases?' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help === true) {
  process.stdout.write(`Usage: node index.ts [--base-url URL] [--api-key KEY] [--model NAME] [--sub-model NAME]
                     [--dir PATH | --notes N] [--question TEXT]

Replaces a createRetrievalChain pipeline with RLMChain over release notes (generated, or the
.md/.txt files of --dir). Needs OPENAI_API_KEY, or --base-url of any OpenAI-compatible server.
`);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

const apiKey = args['api-key'] ?? process.env.OPENAI_API_KEY;
if (args['base-url'] === undefined && apiKey === undefined) {
  fail('set OPENAI_API_KEY, or point --base-url at an OpenAI-compatible server (vLLM, Ollama, llama.cpp…).');
}
const notes = Number(args.notes);
if (!Number.isInteger(notes) || notes < 1) fail(`--notes must be a positive integer, got "${args.notes}".`);

/** Every .md and .txt file under `dir`, one Document each, `metadata.source` = its relative path. */
async function loadDirectory(dir: string): Promise<Document[]> {
  const names = (await readdir(dir, { recursive: true })).filter((name) => ['.md', '.txt'].includes(extname(name))).sort();
  if (names.length === 0) fail(`no .md or .txt files under ${dir}.`);
  return Promise.all(names.map(async (name) => new Document({ pageContent: await readFile(join(dir, name), 'utf8'), metadata: { source: name } })));
}

// The chat models the retrieval chain used stay as they are. Retries are left to the RLM engine.
function chatModel(model: string): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: apiKey ?? 'not-needed',
    maxRetries: 0,
    ...(args['base-url'] === undefined ? {} : { configuration: { baseURL: args['base-url'] } }),
  });
}
const llm = chatModel(args.model);
const subLlm = args['sub-model'] === undefined ? llm : chatModel(args['sub-model']);

const documents = args.dir === undefined ? releaseNotes(notes) : await loadDirectory(args.dir);
const characters = documents.reduce((sum, document) => sum + document.pageContent.length, 0);
process.stderr.write(`corpus: ${documents.length} documents, ${characters.toLocaleString('en-US')} characters\n`);

const sandbox = createLocalSandbox();
const chain = new RLMChain({
  rlm: { model: fromLangChain(llm), subModel: fromLangChain(subLlm), sandbox, maxIterations: 15 },
  documents,
});

try {
  // `chain.invoke({ input })` works exactly like the retrieval chain; streaming shows progress too.
  let output: RLMChainOutput | undefined;
  for await (const chunk of await chain.stream({ input: args.question })) {
    if (chunk.progress !== undefined) process.stderr.write(`  ${chunk.progress}`);
    else output = chunk;
  }
  if (output === undefined) throw new Error('the chain produced no output');
  process.stdout.write(`${output.answer}\n\nSources:\n`);
  for (const document of output.context) process.stdout.write(`- ${String(document.metadata.source)}\n`);
  const total = output.usage.total;
  process.stderr.write(
    `status: ${output.status}; ${output.iterations} iterations, ${output.subcalls} sub-calls; ` +
      `${total.inputTokens} input + ${total.outputTokens} output tokens over ${total.calls} model calls\n`,
  );
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await sandbox.close?.();
}
