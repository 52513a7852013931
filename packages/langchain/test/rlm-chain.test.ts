import { ConfigurationError, ContextError, createRLM, type RLMSettings, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { Document } from '@langchain/core/documents';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, PromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda, RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { RLMChain, RLMChainError, fromLangChain, type RLMChainOutput, type RunEndSummary } from '../src/index.js';
import { corpus, grepAndAskCode, trackSessions } from './helpers.js';

/** A mock answering root calls with `rootReplies` (in order) and every sub-call with `subReply`. */
function scriptedModel(rootReplies: readonly string[], subReply = 'Refunds within 30 days, paid in five business days.', delayMs = 0) {
  let root = 0;
  return new MockModel({
    delayMs,
    replies: (call) => {
      if (call.system === undefined) return subReply;
      const reply = rootReplies[root++];
      if (reply === undefined) throw new Error(`no root reply #${root}`);
      return reply;
    },
  });
}

function settings(model: MockModel, sandbox: SandboxProviderV1 = createLocalSandbox()): RLMSettings {
  return { model, sandbox, maxIterations: 4 };
}

describe('RLMChain', () => {
  it('answers from the documents, citing only those it read', async () => {
    const model = scriptedModel([grepAndAskCode('refund')]);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const output = await chain.invoke({ input: 'How long do customers have to ask for a refund?' });

    expect(output.status).toBe('completed');
    expect(output.answer).toContain('Refunds within 30 days');
    expect(output.text).toBe(output.answer);
    expect(output.result).toBe(output.answer);
    expect(output.input).toBe('How long do customers have to ask for a refund?');
    expect(output.sourceKeys).toEqual(['handbook.md#1', 'changelog.md#3']);
    expect(output.sourceDocuments.map((document) => document.metadata.section ?? document.metadata.source)).toEqual(['refunds', 'changelog.md']);
    expect(output.context).toEqual(output.sourceDocuments);
    expect(output.usage.total.calls).toBe(3);
    expect(output.usage.byDepth[1]?.calls).toBe(2);
    expect(output.iterations).toBe(1);
    expect(output.subcalls).toBe(2);
    expect(output.trajectory).toBeUndefined();

    // The REPL saw a dict of named documents with their metadata as a front-matter header.
    const metadata = model.calls[0]!.messages[1]!.content;
    expect(metadata).toContain('handbook.md#0');
    const prompt = model.calls.find((call) => call.system === undefined)!.prompt;
    expect(prompt).toContain('---\nsource: handbook.md\nsection: refunds\n---\nRefund policy');
  });

  it('accepts RetrievalQAChain-style { query } and an RLM made with createRLM', async () => {
    const model = scriptedModel(['```repl\nFINAL("Five business days, see handbook.md#1")\n```']);
    const chain = new RLMChain({ rlm: createRLM(settings(model)), returnTrajectory: true });
    const output = await chain.invoke({ query: 'How fast are refunds paid?', documents: corpus() });
    expect(output.query).toBe('How fast are refunds paid?');
    expect(output.text).toBe('Five business days, see handbook.md#1');
    expect(output.sourceKeys).toEqual(['handbook.md#1']);
    expect(output.trajectory?.steps).toHaveLength(1);
  });

  it('folds chat_history into the question', async () => {
    const model = scriptedModel(['```repl\nFINAL("30 days")\n```']);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const output = await chain.invoke({
      input: 'And for refunds?',
      chat_history: [new HumanMessage('How do escalations work?'), new AIMessage('After 48 hours they go to the duty manager.')],
    });
    expect(output.chat_history).toHaveLength(2);
    const metadata = model.calls[0]!.messages[1]!.content;
    expect(metadata).toContain('Human: How do escalations work?');
    expect(metadata).toContain('AI: After 48 hours they go to the duty manager.');
    expect(metadata).toContain('And for refunds?');
  });

  it('composes in LCEL pipes: prompt.pipe(chain) and RunnableSequence with a document step', async () => {
    const model = scriptedModel([grepAndAskCode('escalation'), grepAndAskCode('refund')], 'Managers answer after 48 hours.');
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const prompt = PromptTemplate.fromTemplate('Using the support handbook, answer: {topic}');
    const piped = prompt.pipe(chain).pipe((output: RLMChainOutput) => output.answer);
    const answer = await piped.invoke({ topic: 'who handles old tickets?' });
    expect(answer).toContain('Managers answer after 48 hours.');
    expect(model.calls[0]!.messages[1]!.content).toContain('Using the support handbook, answer: who handles old tickets?');

    const bare = new RLMChain({ rlm: settings(model) });
    const sequence = RunnableSequence.from([
      { input: new RunnablePassthrough<string>(), documents: RunnableLambda.from(async () => corpus()) },
      bare,
      (output: RLMChainOutput) => output.sourceKeys,
    ]);
    expect(await sequence.invoke('What is the refund window?')).toEqual(['handbook.md#1', 'changelog.md#3']);
  });

  it('takes the last human message of a chat prompt as the question and system messages as instructions', async () => {
    const model = scriptedModel(['```repl\nFINAL("ok")\n```']);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'Answer in one sentence.'],
      ['human', '{question}'],
    ]);
    await prompt.pipe(chain).invoke({ question: 'What is the payout delay?' });
    const metadata = model.calls[0]!.messages[1]!.content;
    expect(metadata).toContain('Instructions:\nAnswer in one sentence.');
    expect(metadata).toContain('What is the payout delay?');
  });

  it('batches in a pipe: one run and one sandbox session per input, all freed', async () => {
    const model = new MockModel({
      replies: (call) => (call.system === undefined ? 'unused' : `\`\`\`repl\nFINAL("answer to " + ${JSON.stringify(call.messages[1]!.content.includes('first') ? 'first' : 'second')})\n\`\`\``),
    });
    const sandbox = trackSessions(createLocalSandbox());
    const chain = new RLMChain({ rlm: settings(model, sandbox), documents: corpus() });
    const pipeline = PromptTemplate.fromTemplate('the {rank} question').pipe(chain);
    const outputs = await pipeline.batch([{ rank: 'first' }, { rank: 'second' }], { maxConcurrency: 2 });
    expect(outputs.map((output) => output.answer)).toEqual(['answer to first', 'answer to second']);
    expect(sandbox.created).toBe(2);
    expect(sandbox.live).toBe(0);
  });

  it('streams progress chunks, then the full output', async () => {
    const model = scriptedModel(['```repl\nprint(len(context))\n```', grepAndAskCode('refund')]);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const chunks: RLMChainOutput[] = [];
    for await (const chunk of await chain.stream({ input: 'Refund window?' })) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.answer).toContain('Refunds within 30 days');
    expect(last.sourceKeys).toEqual(['handbook.md#1', 'changelog.md#3']);
    const progress = chunks.slice(0, -1);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    for (const chunk of progress) expect(Object.keys(chunk)).toEqual(['progress']);
    const log = progress.map((chunk) => chunk.progress).join('');
    expect(log).toContain('Iteration 1: asking the root model.\n');
    expect(log).toContain('Iteration 2: code block 1 returned the final answer after ');
    expect(log).toContain('Sub-calls started (llm_query_batched to ');
  });

  it('streams inside a sequence, and its streamEvents carry rlm:* custom events under the chain run', async () => {
    const model = scriptedModel([grepAndAskCode('refund')]);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const sequence = PromptTemplate.fromTemplate('{q}').pipe(chain).pipe((output: RLMChainOutput) => output.answer);
    const events = [];
    for await (const event of sequence.streamEvents({ q: 'Refund window?' }, { version: 'v2' })) events.push(event);
    const chainStart = events.find((event) => event.event === 'on_chain_start' && event.name === 'RLMChain');
    expect(chainStart).toBeDefined();
    const custom = events.filter((event) => event.event === 'on_custom_event');
    const names = custom.map((event) => event.name);
    expect(names).toEqual(expect.arrayContaining(['rlm:run-start', 'rlm:iteration-start', 'rlm:subcall-start', 'rlm:subcall-end', 'rlm:code-execution-end', 'rlm:run-end']));
    for (const event of custom) expect(event.run_id).toBe(chainStart!.run_id);
    const runEnd = custom.find((event) => event.name === 'rlm:run-end')!.data as { result: RunEndSummary };
    expect(runEnd.result.status).toBe('completed');
    expect(runEnd.result).not.toHaveProperty('trajectory');
    expect(events.some((event) => event.event === 'on_chain_stream' && event.name === 'RLMChain' && typeof event.data.chunk.progress === 'string')).toBe(true);
    const end = events.at(-1)!;
    expect(end.event).toBe('on_chain_end');
    expect(end.data.output).toContain('Refunds within 30 days');
  });

  it('shows a callback handler the run, its rlm:* events, and the LangChain model calls as its children', async () => {
    const seen: { name: string; runId: string; parentRunId?: string }[] = [];
    class Recorder extends BaseCallbackHandler {
      name = 'recorder';
      // LangChain calls (chain, inputs, runId, parentRunId, tags, metadata, runType, runName), whatever the .d.ts names say.
      override handleChainStart(_chain: unknown, _inputs: unknown, runId: string, parentRunId?: string, _tags?: string[], _meta?: unknown, _type?: string, runName?: string) {
        seen.push({ name: `chain-start:${runName}`, runId, ...(parentRunId === undefined ? {} : { parentRunId }) });
      }
      override handleChainEnd(_outputs: unknown, runId: string) {
        seen.push({ name: 'chain-end', runId });
      }
      override handleChatModelStart(_llm: unknown, _messages: unknown, runId: string, parentRunId?: string) {
        seen.push({ name: 'chat-model-start', runId, ...(parentRunId === undefined ? {} : { parentRunId }) });
      }
      override handleCustomEvent(eventName: string, _data: unknown, runId: string) {
        seen.push({ name: eventName, runId });
      }
    }
    const root = new FakeListChatModel({ responses: [grepAndAskCode('refund')] });
    const sub = new FakeListChatModel({ responses: ['Refunds within 30 days.'] });
    const chain = new RLMChain({
      rlm: { model: fromLangChain(root), subModel: fromLangChain(sub), sandbox: createLocalSandbox() },
      documents: corpus(),
      name: 'PolicyQA',
    });
    const output = await chain.invoke({ input: 'Refund window?' }, { callbacks: [new Recorder()] });
    await awaitAllCallbacks();
    expect(output.answer).toContain('Refunds within 30 days.');
    const start = seen.find((entry) => entry.name === 'chain-start:PolicyQA')!;
    expect(start).toBeDefined();
    const events = seen.filter((entry) => entry.name.startsWith('rlm:'));
    expect(events.map((entry) => entry.name)).toEqual(expect.arrayContaining(['rlm:iteration-start', 'rlm:subcall-end']));
    expect(events.every((entry) => entry.runId === start.runId)).toBe(true);
    // One root call and two sub-calls (one per matching document), all traced under the chain's run.
    const modelRuns = seen.filter((entry) => entry.name === 'chat-model-start');
    expect(modelRuns).toHaveLength(3);
    for (const run of modelRuns) expect(run.parentRunId).toBe(start.runId);
    expect(seen.at(-1)).toEqual({ name: 'chain-end', runId: start.runId });
  });

  it('config.signal aborts the run and frees the sandbox before invoke rejects', async () => {
    const slowLoop = '```repl\nimport time\ntime.sleep(30)\n```';
    const model = scriptedModel([slowLoop, slowLoop]);
    const sandbox = trackSessions(createLocalSandbox());
    const chain = new RLMChain({ rlm: settings(model, sandbox), documents: corpus() });
    const controller = new AbortController();
    const pending = chain.invoke({ input: 'anything' }, { signal: controller.signal });
    const started = Date.now();
    while (sandbox.created === 0 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(sandbox.created).toBe(1);
    expect(sandbox.live).toBe(0);
  });

  it('aborting a stream frees the sandbox too', async () => {
    const model = scriptedModel(['```repl\nimport time\ntime.sleep(30)\n```']);
    const sandbox = trackSessions(createLocalSandbox());
    const chain = new RLMChain({ rlm: settings(model, sandbox), documents: corpus() });
    const controller = new AbortController();
    const stream = await chain.stream({ input: 'anything' }, { signal: controller.signal });
    const reader = (async () => {
      for await (const chunk of stream) void chunk;
    })();
    const waitStart = Date.now();
    while (sandbox.created === 0 && Date.now() - waitStart < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await expect(reader).rejects.toThrow();
    const started = Date.now();
    while (sandbox.live > 0 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sandbox.created).toBe(1);
    expect(sandbox.live).toBe(0);
  });

  it('a consumer that stops reading the stream early aborts the run and frees the sandbox', async () => {
    const step = '```repl\nx = 1\n```';
    const model = scriptedModel([step, step, step, step, '```repl\nFINAL("done")\n```'], 'unused', 100);
    const sandbox = trackSessions(createLocalSandbox());
    const chain = new RLMChain({ rlm: settings(model, sandbox), documents: corpus() });
    for await (const chunk of await chain.stream({ input: 'anything' })) {
      if (chunk.progress?.includes('code block 1 finished')) break;
    }
    const started = Date.now();
    while (sandbox.live > 0 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sandbox.live).toBe(0);
    expect(model.calls.length).toBeLessThan(5);
  });

  it('rejects with RLMChainError carrying the cause and the result when the model fails for good', async () => {
    const model = new MockModel({ replies: [new Error('backend down')] });
    const chain = new RLMChain({ rlm: { ...settings(model), maxRetries: 0 }, documents: corpus() });
    const error = await chain.invoke({ input: 'anything' }).catch((caught: unknown) => caught);
    expect(RLMChainError.isInstance(error)).toBe(true);
    expect((error as RLMChainError).message).toContain('backend down');
    expect((error as RLMChainError).result.status).toBe('error');
    expect(((error as RLMChainError).cause as Error).message).toContain('backend down');
  });

  it('rejects bad input with typed errors that say how to fix it', async () => {
    const model = scriptedModel([]);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus() });
    const noQuestion = await chain.invoke({ documents: corpus() } as never).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(noQuestion)).toBe(true);
    expect((noQuestion as Error).message).toContain('{ input }');

    const empty = new RLMChain({ rlm: settings(model) });
    const nothing = await empty.invoke({ input: 'q' }).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(nothing)).toBe(true);
    expect((nothing as Error).message).toContain('documents');

    const badDocument = await empty.invoke({ input: 'q', documents: [{ text: 'no pageContent' }] as never }).catch((caught: unknown) => caught);
    expect(ContextError.isInstance(badDocument)).toBe(true);

    expect(() => new RLMChain({} as never)).toThrow(/needs `rlm`/);
    expect(() => new RLMChain({ rlm: { model } as never })).toThrow(/sandbox/);
    expect(() => new RLMChain({ rlm: settings(model), sourceEvidence: ['everything' as never] })).toThrow(/sourceEvidence/);
    expect(model.calls).toHaveLength(0);
  });

  it('merges a raw context with documents, and cites named documents of a record context', async () => {
    const model = scriptedModel(['```repl\nFINAL(sorted(context.keys()))\n```', '```repl\nFINAL("see policy.txt")\n```']);
    const chain = new RLMChain({ rlm: settings(model), documents: corpus().slice(0, 1) });
    const merged = await chain.invoke({ input: 'keys?', context: 'an extra note' });
    expect(merged.answerValue).toEqual(['context', 'handbook.md#0']);

    const bare = new RLMChain({ rlm: settings(model) });
    const output = await bare.invoke({ input: 'where?', context: { 'policy.txt': 'Refunds within 30 days of purchase.', 'other.txt': 'Unrelated text here.' } });
    expect(output.sourceDocuments).toEqual([new Document({ pageContent: 'Refunds within 30 days of purchase.', metadata: { source: 'policy.txt' } })]);
  });
});
