import { ConfigurationError, ContextError, ModelProviderError, type RLMEvent } from '@rlms/core';
import { Document, MetadataMode, type EngineResponse } from '@llamaindex/core/schema';
import { describe, expect, it } from 'vitest';
import { RLMQueryEngine, RLMQueryEngineError, type RLMProgressMetadata, type RLMResponseMetadata } from '../src/index.js';
import { CORPUS, RETRY_SCRIPT, scriptedRLM, useSandbox } from './helpers.js';

const sandbox = useSandbox();
const sourceIds = (response: EngineResponse) => (response.sourceNodes ?? []).map((source) => source.node.id_);
const rlmMetadata = (response: EngineResponse) => response.metadata['rlm'] as RLMResponseMetadata;

describe('RLMQueryEngine.query', () => {
  it('answers over a record of named documents; sourceNodes are the documents sent to sub-calls', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, RETRY_SCRIPT) });
    const response = await engine.query({ query: 'What retry policies do the services use?' });

    expect(response.toString()).toBe('billing: exponential backoff, 5 attempts | search: no retries | changelog: raised from 3 to 5 in v2.3');
    expect(sourceIds(response)).toEqual(['services/billing.md', 'services/search.md', 'changelog.md']);
    expect(response.sourceNodes!.map((source) => source.node.getContent(MetadataMode.NONE))).toEqual([
      CORPUS['services/billing.md'],
      CORPUS['services/search.md'],
      CORPUS['changelog.md'],
    ]);
    const metadata = rlmMetadata(response);
    expect(metadata).toMatchObject({ status: 'completed', iterations: 2, subcalls: 3, sourceKeys: ['services/billing.md', 'services/search.md', 'changelog.md'] });
    expect(metadata.usage.total.calls).toBe(5);
    expect(metadata.cacheHits).toBe(0);
    expect(metadata.trajectory.steps).toHaveLength(2);
    expect(tracked.live).toBe(0);
  });

  it('counts documents the answer cites by name or quotes, not the ones it never touched', async () => {
    const tracked = sandbox();
    const quote = CORPUS['handbook/oncall.md']!.slice(20, 100);
    const engine = RLMQueryEngine.fromDocuments(CORPUS, {
      rlm: scriptedRLM(tracked, [
        `\`\`\`repl\nFINAL("See services/auth.md for tokens. Also: ${quote}")\n\`\`\``,
      ]),
    });
    const response = await engine.query({ query: 'Where are tokens described?' });
    expect(sourceIds(response)).toEqual(['services/auth.md', 'handbook/oncall.md']);
  });

  it("counts the root model's printed reads only when 'output' evidence is asked for", async () => {
    const script = ['```repl\nprint(context["handbook/style.md"])\n```', '```repl\nFINAL("sentence case")\n```'];
    const plain = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), script) });
    expect(sourceIds(await plain.query({ query: 'How are headings written?' }))).toEqual([]);
    const withOutput = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), script), sourceEvidence: ['subcalls', 'answer', 'output'] });
    expect(sourceIds(await withOutput.query({ query: 'How are headings written?' }))).toEqual(['handbook/style.md']);
  });

  it('with verifyQuotes, counts documents quoted loosely and reports quotes found nowhere', async () => {
    const script = ['```repl\nFINAL(\'It uses "exponential   backoff with 5 attempts" and "unlimited retries forever".\')\n```'];
    const plain = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), script) });
    const loose = await plain.query({ query: 'How does billing retry?' });
    expect(sourceIds(loose)).toEqual([]);
    expect(rlmMetadata(loose).citations).toBeUndefined();

    const checked = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), script), verifyQuotes: true });
    const response = await checked.query({ query: 'How does billing retry?' });
    expect(sourceIds(response)).toEqual(['services/billing.md']);
    const citations = rlmMetadata(response).citations!;
    expect(citations.citations).toMatchObject([{ documentKey: 'services/billing.md', match: 'normalized' }]);
    expect(citations.notFound).toEqual(['unlimited retries forever']);
  });

  it('builds from LlamaIndex Documents, naming them by file name, and returns the same node objects', async () => {
    const documents = [
      new Document({ text: CORPUS['services/billing.md']!, metadata: { file_name: 'billing.md' } }),
      new Document({ text: CORPUS['services/search.md']!, metadata: { file_name: 'search.md' } }),
      new Document({ text: CORPUS['changelog.md']!, metadata: { file_name: 'notes.md' } }),
      new Document({ text: CORPUS['handbook/style.md']!, metadata: { file_name: 'notes.md' } }),
    ];
    const tracked = sandbox();
    const engine = RLMQueryEngine.fromDocuments(documents, {
      rlm: scriptedRLM(tracked, ['```repl\nprint(sorted(context))\nr = llm_query("Summarise: " + context["notes.md#1"])\nFINAL(r)\n```']),
    });
    expect(engine.documents.map((document) => document.key)).toEqual(['billing.md', 'search.md', 'notes.md#1', 'notes.md#2']);
    const response = await engine.query({ query: { query: 'What changed in 2.3?' } });
    expect(response.toString()).toBe('changelog: raised from 3 to 5 in v2.3');
    expect(response.sourceNodes!.map((source) => source.node)).toEqual([documents[2]]);
    expect(response.sourceNodes![0]!.node).toBe(documents[2]);
    expect(rlmMetadata(response).trajectory.steps[0]!.observation.executions[0]!.result.stdout).toContain("'notes.md#2'");
  });

  it('reports a budget stop in metadata and still answers', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({
      documents: CORPUS,
      rlm: scriptedRLM(tracked, ['```repl\nx = len(context)\n```', 'FINAL(best guess)'], { maxIterations: 1 }),
    });
    const response = await engine.query({ query: 'How many documents?' });
    expect(response.toString()).toBe('best guess');
    expect(rlmMetadata(response)).toMatchObject({ status: 'max_iterations', sourceKeys: [] });
    expect(rlmMetadata(response).statusDetail).toContain('maxIterations');
  });

  it('passes onEvent, and rejects with AbortError when aborted, freeing the sandbox', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, ['```repl\nimport time\nfor _ in range(600):\n    time.sleep(0.05)\n```']) });
    const controller = new AbortController();
    const events: RLMEvent['type'][] = [];
    const pending = engine.query({
      query: 'Wait.',
      abortSignal: controller.signal,
      onEvent: (event) => {
        events.push(event.type);
        if (event.type === 'code-execution-start') setTimeout(() => controller.abort(), 100);
      },
    });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(events).toContain('run-start');
    expect(tracked.live).toBe(0);
  });

  it('rejects with RLMQueryEngineError carrying the cause and the run when the model fails', async () => {
    const tracked = sandbox();
    const failure = Object.assign(new Error('Incorrect API key provided'), { status: 401 });
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, [failure]) });
    const error = await engine.query({ query: 'Anything?' }).catch((caught: unknown) => caught);
    expect(RLMQueryEngineError.isInstance(error)).toBe(true);
    expect((error as RLMQueryEngineError).result.status).toBe('error');
    expect(ModelProviderError.isInstance((error as Error).cause)).toBe(true);
    expect((error as Error).message).toContain('Incorrect API key provided');
    expect(tracked.live).toBe(0);
  });
});

describe('RLMQueryEngine.query({ stream: true })', () => {
  it('yields progress chunks, then answer deltas carrying the sourceNodes', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, RETRY_SCRIPT) });
    const stream = await engine.query({ query: 'What retry policies do the services use?', stream: true });
    const chunks: EngineResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const firstAnswer = chunks.findIndex((chunk) => chunk.metadata['rlm'] !== undefined);
    const progress = chunks.slice(0, firstAnswer);
    const answer = chunks.slice(firstAnswer);
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.every((chunk) => chunk.delta === '' && chunk.sourceNodes === undefined)).toBe(true);
    const messages = progress.map((chunk) => (chunk.metadata['rlmProgress'] as RLMProgressMetadata).message);
    const chars = Object.values(CORPUS).reduce((sum, text) => sum + text.length, 0);
    expect(messages[0]).toBe(`Run started (context: 6 documents, ${chars.toLocaleString('en-US')} characters).`);
    expect(messages).toContain('Iteration 2: running code block 1.');
    expect(messages.filter((message) => message.startsWith('Sub-calls started (llm_query_batched to '))).toHaveLength(1);
    expect(messages.filter((message) => /^3 sub-calls to \S+ finished in /.test(message))).toHaveLength(1);
    expect(messages.at(-1)).toBe('Run completed after 2 iterations and 3 sub-calls.');

    expect(answer.length).toBeGreaterThan(5);
    expect(answer.map((chunk) => chunk.delta).join('')).toBe('billing: exponential backoff, 5 attempts | search: no retries | changelog: raised from 3 to 5 in v2.3');
    for (const chunk of answer) {
      expect(chunk.stream).toBe(true);
      expect(sourceIds(chunk)).toEqual(['services/billing.md', 'services/search.md', 'changelog.md']);
      expect(rlmMetadata(chunk).status).toBe('completed');
    }
    expect(tracked.live).toBe(0);
  });

  it('yields only the answer with streamProgress: false', async () => {
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), ['```repl\nFINAL("two words")\n```']), streamProgress: false });
    const deltas: string[] = [];
    for await (const chunk of await engine.query({ query: 'Say it.', stream: true })) deltas.push(chunk.delta);
    expect(deltas).toEqual(['two ', 'words']);
  });

  it('starts nothing until iterated, and ends the run when the consumer stops early', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, ['```repl\nimport time\ntime.sleep(30)\n```']) });
    const ends: string[] = [];
    const stream = await engine.query({ query: 'Wait.', stream: true, onEvent: (event) => event.type === 'run-end' && ends.push(event.result.status) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tracked.created).toBe(0);
    for await (const chunk of stream) {
      if ((chunk.metadata['rlmProgress'] as RLMProgressMetadata).event.type === 'code-execution-start') break;
    }
    // The loop's exit waited for the run to end and its sandbox to be freed.
    expect(ends).toEqual(['aborted']);
    expect(tracked.live).toBe(0);
  });

  it('throws RLMQueryEngineError from the iterator after the progress when the run fails', async () => {
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), [new Error('backend down')]) });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of await engine.query({ query: 'Anything?', stream: true })) seen.push((chunk.metadata['rlmProgress'] as RLMProgressMetadata).message);
    })().catch((caught: unknown) => caught);
    expect(RLMQueryEngineError.isInstance(error)).toBe(true);
    expect(seen[0]).toMatch(/^Run started \(context: 6 documents, /);
  });
});

describe('RLMQueryEngine input checks', () => {
  it('takes at most one of rlm and settings (neither: the LlamaIndex defaults, see settings-defaults.test.ts)', () => {
    expect(() => new RLMQueryEngine({ documents: CORPUS })).toThrow(/`Settings.llm` is not set/);
    const rlm = scriptedRLM(sandbox(), []);
    expect(() => new RLMQueryEngine({ documents: CORPUS, rlm, settings: rlm.settings })).toThrow(ConfigurationError);
    expect(() => new RLMQueryEngine({ documents: CORPUS, rlm: {} as never })).toThrow(/must be an RLM/);
    expect(() => new RLMQueryEngine({ documents: CORPUS, rlm, sourceEvidence: ['everything' as never] })).toThrow(/sourceEvidence/);
  });

  it('rejects empty or invalid documents with ContextError', () => {
    const rlm = scriptedRLM(sandbox(), []);
    expect(() => new RLMQueryEngine({ documents: [], rlm })).toThrow(ContextError);
    expect(() => new RLMQueryEngine({ documents: {}, rlm })).toThrow(/record of named documents is empty/);
    expect(() => new RLMQueryEngine({ documents: ['plain text'] as never, rlm })).toThrow(/not a LlamaIndex node/);
    expect(() => new RLMQueryEngine({ documents: { 'a.md': 42 } as never, rlm })).toThrow(/must be a string or a LlamaIndex node/);
  });

  it('rejects an empty query and retrieve()', async () => {
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), []) });
    await expect(engine.query({ query: '  ' })).rejects.toThrow(/non-empty `query`/);
    await expect(engine.retrieve()).rejects.toThrow(/does not retrieve/);
  });
});
