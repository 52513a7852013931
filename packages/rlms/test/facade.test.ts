import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, ContextError, createMemoryCache, ModelProviderError, RLMEventNarrator, type RLMEvent } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIRECT_SYSTEM_PROMPT, MissingPackageError, RecursiveLanguageModel, type QueryResult } from '../src/index.js';

const code = (source: string) => `\`\`\`repl\n${source}\n\`\`\``;
const PRICING = { 'mock-model': { inputPerMillion: 1, outputPerMillion: 2 } };
const SMALL = { 'notes/a.txt': 'alpha beta gamma', 'notes/b.txt': 'delta' };

let instances: RecursiveLanguageModel[] = [];
function create(settings: ConstructorParameters<typeof RecursiveLanguageModel>[0]): RecursiveLanguageModel {
  const rlm = new RecursiveLanguageModel(settings);
  instances.push(rlm);
  return rlm;
}

afterEach(async () => {
  await Promise.all(instances.map((rlm) => rlm.close()));
  instances = [];
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('RecursiveLanguageModel: modes', () => {
  it('mode "auto" answers a small context with one direct call, same result shape', async () => {
    const model = new MockModel({ contextWindowTokens: 100_000, replies: [{ text: 'Gamma is in notes/a.txt.', usage: { inputTokens: 100, outputTokens: 10 } }] });
    const rlm = create({ model, sandbox: 'local', pricing: PRICING });
    const dir = await mkdtemp(join(tmpdir(), 'rlms-facade-'));
    try {
      const result = await rlm.query({ context: SMALL, question: 'Where is gamma?', saveTrajectory: join(dir, 'direct.json') });
      expect(result.mode).toBe('direct');
      expect(result.modeReason).toMatch(/fits comfortably in mock:mock-model's 100,000-token window/);
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('Gamma is in notes/a.txt.');
      expect(result.iterations).toBe(1);
      expect(result.subcalls).toBe(0);
      expect(result.usage.total).toMatchObject({ calls: 1, inputTokens: 100, outputTokens: 10, totalTokens: 110 });
      expect(result.costUsd).toBeCloseTo((100 * 1 + 10 * 2) / 1_000_000, 12);
      expect(result.trajectory.sandbox).toBe('none');
      expect(result.trajectory.steps).toHaveLength(1);
      expect(result.trajectory.steps[0]!.action.response).toBe('Gamma is in notes/a.txt.');
      expect(result.trajectory.result?.status).toBe('completed');
      const [call] = model.calls;
      expect(call!.system).toBe(DIRECT_SYSTEM_PROMPT);
      expect(call!.prompt).toBe('Context:\n\n<document name="notes/a.txt">\nalpha beta gamma\n</document>\n\n<document name="notes/b.txt">\ndelta\n</document>\n\nQuestion: Where is gamma?');
      const saved = JSON.parse(await readFile(join(dir, 'direct.json'), 'utf8')) as { steps: unknown[]; context: { value: unknown } };
      expect(saved.steps).toHaveLength(1);
      expect(saved.context.value).toEqual(SMALL);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('mode "auto" runs the RLM when the context does not fit comfortably (small contextWindowTokens)', async () => {
    const model = new MockModel({ replies: [code('FINAL(sorted(context.keys()))')] });
    const rlm = create({ model, sandbox: 'local', contextWindowTokens: 2_000 });
    const big = { ...SMALL, 'big.txt': 'lorem ipsum dolor sit amet '.repeat(200) };
    const result = await rlm.query({ context: big, question: 'Which files?' });
    expect(result.mode).toBe('rlm');
    expect(result.modeReason).toMatch(/does not fit comfortably in mock:mock-model's 2,000-token window|fills \d+ % of/);
    expect(result.status).toBe('completed');
    expect(result.answerValue).toEqual(['big.txt', 'notes/a.txt', 'notes/b.txt']);
    expect(result.trajectory.sandbox).toBe('local');
    expect(model.calls[0]!.system).toContain('Python REPL');
  });

  it("mode \"auto\" reads the model's own window; a prompt over half of it goes to the RLM", async () => {
    const half = 'word '.repeat(700); // ~700 tokens
    const fits = create({ model: new MockModel({ contextWindowTokens: 10_000, replies: ['direct'] }), sandbox: 'local' });
    expect((await fits.query({ context: half, question: 'q' })).mode).toBe('direct');
    const tight = create({ model: new MockModel({ contextWindowTokens: 1_200, replies: [code('FINAL("rlm")')] }), sandbox: 'local' });
    const result = await tight.query({ context: half, question: 'q' });
    expect(result.mode).toBe('rlm');
    expect(result.modeReason).toMatch(/fills \d+ % of mock:mock-model's 1,200-token window/);
    expect(result.answer).toBe('rlm');
  });

  it('mode "rlm" and "direct" are forced, per instance or per query', async () => {
    const model = new MockModel({ contextWindowTokens: 100_000, replies: [code('FINAL(len(context))'), 'plain'] });
    const rlm = create({ model, sandbox: 'local', mode: 'rlm' });
    const forced = await rlm.query({ context: 'hello', question: 'How long?' });
    expect([forced.mode, forced.answer, forced.modeReason]).toEqual(['rlm', '5', 'mode "rlm" was requested']);
    const direct = await rlm.query({ context: 'hello', question: 'How long?', mode: 'direct' });
    expect([direct.mode, direct.answer]).toEqual(['direct', 'plain']);
  });

  it('direct mode reports model failures, aborts and budgets in the status like an RLM run', async () => {
    const failing = create({ model: new MockModel({ replies: [new ModelProviderError('401 bad key', { provider: 'mock', modelId: 'mock-model', statusCode: 401 })] }), mode: 'direct' });
    const failed = await failing.query({ context: 'x', question: 'q' });
    expect(failed.status).toBe('error');
    expect(failed.error?.message).toBe('401 bad key');
    expect(failed.trajectory.result?.error).toBe('ModelProviderError: 401 bad key');

    const slow = create({ model: new MockModel({ delayMs: 10_000, replies: ['late'] }), mode: 'direct' });
    const controller = new AbortController();
    const pending = slow.query({ context: 'x', question: 'q', abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await pending).status).toBe('aborted');

    const budget = create({ model: new MockModel({ replies: ['never'] }), mode: 'direct', maxTotalTokens: 10 });
    const limited = await budget.query({ context: 'word '.repeat(100), question: 'q' });
    expect(limited.status).toBe('budget_exhausted');
    expect(limited.statusDetail).toMatch(/maxTotalTokens \(10\) would be exceeded by the next prompt alone/);
    expect(limited.usage.total.calls).toBe(0);
  });

  it('direct runs come from the engine: events and trajectory carry the mode, retries are the engine\'s', async () => {
    const busy = new ModelProviderError('503 busy', { provider: 'mock', modelId: 'mock-model', statusCode: 503, retryable: true, retryAfterMs: 0 });
    const model = new MockModel({ contextWindowTokens: 100_000, replies: [busy, busy, 'third time'] });
    const events: RLMEvent[] = [];
    const rlm = create({ model, mode: 'direct', maxRetries: 2 });
    const result = await rlm.query({ context: SMALL, question: 'q', onEvent: (event) => events.push(event) });
    expect([result.status, result.answer, result.mode, result.trajectory.mode]).toEqual(['completed', 'third time', 'direct', 'direct']);
    expect(model.calls).toHaveLength(3);
    expect(events.map((event) => event.type)).toEqual(['run-start', 'iteration-start', 'model-retry', 'model-retry', 'model-response', 'run-end']);
    expect(events[0]).toMatchObject({ type: 'run-start', mode: 'direct', depth: 0 });
    expect(events.every((event) => event.runId === result.trajectory.runId)).toBe(true);

    const failing = new MockModel({ replies: [busy, busy, busy, 'never'] });
    const spent = await create({ model: failing, mode: 'direct', maxRetries: 2 }).query({ context: SMALL, question: 'q' });
    expect([spent.status, spent.error?.message, failing.calls.length]).toEqual(['error', '503 busy', 3]);
  });

  it('direct calls use the model-call cache like RLM runs', async () => {
    const model = new MockModel({ contextWindowTokens: 100_000, replies: ['cached answer'] });
    const rlm = create({ model, cache: createMemoryCache() });
    const first = await rlm.query({ context: SMALL, question: 'q' });
    const second = await rlm.query({ context: SMALL, question: 'q' });
    expect([first.answer, first.cacheHits, first.usage.total.calls]).toEqual(['cached answer', 0, 1]);
    expect([second.answer, second.cacheHits, second.usage.total.calls, second.mode]).toEqual(['cached answer', 1, 0, 'direct']);
    expect(model.calls).toHaveLength(1);
  });

  it('"auto" never picks a direct call that would break maxTotalTokens', async () => {
    const model = new MockModel({ contextWindowTokens: 100_000, replies: [code('FINAL("ok")')] });
    const rlm = create({ model, sandbox: 'local', maxTotalTokens: 50_000 });
    const result = await rlm.query({ context: 'word '.repeat(100), question: 'q', mode: 'auto' });
    expect(result.mode).toBe('direct');
    const strict = create({ model: new MockModel({ contextWindowTokens: 100_000, replies: [code('FINAL("ok")')] }), sandbox: 'local', maxTotalTokens: 50 });
    const rlmResult = await strict.query({ context: 'word '.repeat(100), question: 'q' });
    expect(rlmResult.mode).toBe('rlm');
    expect(rlmResult.modeReason).toMatch(/exceeds maxTotalTokens \(50\)/);
  });
});

describe('RecursiveLanguageModel: RLM runs', () => {
  it('runs sub-calls through the sub-model, streams events and prints a verbose trace', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const root = new MockModel({
      modelId: 'root',
      replies: [code('parts = llm_query_batched([f"Summarise {k}" for k in sorted(context)])\nprint(parts)'), code('FINAL(" | ".join(parts))')],
    });
    const sub = new MockModel({ modelId: 'sub', replies: ({ prompt }) => `summary of ${prompt.split(' ')[1]}` });
    const rlm = create({ model: root, subModel: sub, sandbox: createLocalSandbox(), mode: 'rlm', verbose: true });
    const stream = rlm.stream({ context: SMALL, question: 'Summarise each note.' });
    const events: RLMEvent[] = [];
    for await (const event of stream) events.push(event);
    const result: QueryResult = await stream.result;
    expect(result.answer).toBe('summary of notes/a.txt | summary of notes/b.txt');
    expect(result.mode).toBe('rlm');
    expect(result.subcalls).toBe(2);
    expect(Object.keys(result.usage.byModel).sort()).toEqual(['mock:root', 'mock:sub']);
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)!.type).toBe('run-end');
    expect(events.filter((event) => event.type === 'subcall-start')).toHaveLength(2);

    const trace = writes.join('');
    expect(trace).toContain('[rlms] mode: rlm (mode "rlm" was requested)');
    // Each step is core's line for its event, in order (the trace adds numbers and details).
    const narrator = new RLMEventNarrator({ depthPrefix: false });
    const steps = events.map((event) => narrator.describe(event)).filter((line) => line !== undefined);
    let at = 0;
    for (const step of steps) {
      at = trace.indexOf(`[rlms] ${step}`, at);
      expect(at, step).toBeGreaterThan(-1);
    }
    expect(trace).toContain('[rlms] Run started (context: 2 documents, ');
    expect(trace).toContain('[rlms] Iteration 1: asking the root model. · ');
    expect(trace).toContain('[rlms] Iteration 1: running code block 1.\n[rlms]   │ parts = llm_query_batched(');
    expect(trace).toMatch(/\[rlms\] 2 sub-calls to mock:sub finished in \S+ \S+\. · cost n\/a\n/);
    expect(trace).toContain("[rlms]   > ['summary of notes/a.txt', 'summary of notes/b.txt']");
    expect(trace).toMatch(/\[rlms\] Run completed after 2 iterations and 2 sub-calls\. · [\d,]+ tokens, cost n\/a, \S+\n/);
  });

  it('uses the paper prompt for RLM-Qwen3-8B models and passes engine settings through', async () => {
    const model = new MockModel({ modelId: 'mit-oasys/rlm-qwen3-8b-v0.1', replies: ['I will check.\n' + code('x = 1'), 'FINAL(done)'] });
    const rlm = create({ model, sandbox: 'local', mode: 'rlm', maxIterations: 5 });
    const result = await rlm.query({ context: 'text', question: 'q' });
    expect(result.answer).toBe('done');
    expect(model.calls[0]!.system).toContain('write on its own line');
  });

  it('a schema gives a typed answer through the RLM, even in "auto"; "direct" refuses it', async () => {
    const schema = { type: 'object', properties: { files: { type: 'integer' } }, required: ['files'] } as const;
    const model = new MockModel({ contextWindowTokens: 100_000, replies: [code('FINAL({"files": len(context)})')] });
    const rlm = create({ model, sandbox: 'local' });
    const result = await rlm.query({ context: SMALL, question: 'How many files?', schema });
    expect(result.mode).toBe('rlm');
    expect(result.modeReason).toContain('a `schema` was given');
    expect(result.answer).toEqual({ files: 2 });
    await expect(rlm.query({ context: SMALL, question: 'q', schema, mode: 'direct' })).rejects.toThrow(/A `schema` needs an RLM run/);
  });

  it('session() keeps one REPL across questions', async () => {
    const model = new MockModel({ replies: [code('total = len(context)\nFINAL(total)'), code('FINAL(total * 10)')] });
    const rlm = create({ model, sandbox: 'local' });
    const session = rlm.session({ context: 'hello' });
    expect(session.history).toEqual([]);
    expect((await session.query('How long?')).answer).toBe('5');
    expect((await session.query('Times ten?')).answer).toBe('50');
    expect(session.history.map((turn) => turn.question)).toEqual(['How long?', 'Times ten?']);
    await session.close();
    await expect(session.query('again?')).rejects.toThrow(/This session is closed/);
  });

  it('close() frees the sandbox; the instance still works afterwards', async () => {
    const model = new MockModel({ replies: [code('FINAL(1)'), code('FINAL(2)')] });
    const rlm = create({ model, sandbox: 'local', mode: 'rlm' });
    expect((await rlm.query({ context: 'a', question: 'q' })).answer).toBe('1');
    await rlm.close();
    await rlm.close();
    expect((await rlm.query({ context: 'a', question: 'q' })).answer).toBe('2');
  });

  it('estimate() uses the instance models and windows', async () => {
    const rlm = create({ model: new MockModel({ contextWindowTokens: 1_000, replies: [] }), sandbox: 'local' });
    const estimate = await rlm.estimate({ context: 'word '.repeat(2_000) });
    expect(estimate.contextWindowTokens).toBe(1_000);
    expect(estimate.fits).toBe(false);
    expect(estimate.recommendation.mode).toBe('rlm');
    expect(estimate.direct.costUsd).toBeUndefined();
  });
});

describe('RecursiveLanguageModel: resolution and input errors', () => {
  it('unknown model names, providers and sandboxes throw ConfigurationError at construction', () => {
    const attempt = (settings: ConstructorParameters<typeof RecursiveLanguageModel>[0]) => {
      try {
        new RecursiveLanguageModel(settings);
      } catch (error) {
        expect(ConfigurationError.isInstance(error)).toBe(true);
        return error as ConfigurationError;
      }
      throw new Error('expected a ConfigurationError');
    };
    vi.stubEnv('OPENAI_API_KEY', 'sk-test');
    expect(attempt({ model: 'claude-3.5' }).message).toMatch(/^Unknown model "claude-3.5" in `model`. Did you mean "anthropic:claude-3.5"\?/);
    expect(attempt({ model: 'gpt-4o', subModel: 'mit-oasys/rlm-qwen3-8b-v0.1' }).message).toMatch(/`subModel`.*open model.*baseURL/);
    expect(attempt({ model: 'foo:bar' }).message).toMatch(/^Unknown model provider "foo" in "foo:bar"/);
    expect(attempt({ model: 'openai-compatible:qwen' }).code).toBe('missing-base-url');
    const sandbox = attempt({ model: 'gpt-4o', sandbox: 'firecracker' as never });
    expect(sandbox.code).toBe('unknown-sandbox');
    expect(sandbox.message).toContain('use one of pyodide, local, docker, e2b, modal, daytona');
    expect(attempt({ model: 'gpt-4o', mode: 'fast' as never }).message).toContain('`mode` must be one of "auto", "rlm", "direct"');
  });

  it('a missing API key names the variable to set', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    expect(() => new RecursiveLanguageModel({ model: 'gpt-4o' })).toThrow(/set the OPENAI_API_KEY environment variable or pass `apiKey`/);
    expect(() => new RecursiveLanguageModel({ model: 'anthropic:claude-sonnet-4-5' })).toThrow(/No Anthropic API key .*ANTHROPIC_API_KEY/);
    // A base URL needs no key, and an explicit key works without the variable.
    expect(() => new RecursiveLanguageModel({ model: { baseURL: 'http://127.0.0.1:1/v1', model: 'qwen3:8b' } })).not.toThrow();
    expect(() => new RecursiveLanguageModel({ model: 'gpt-4o', apiKey: 'sk-explicit' })).not.toThrow();
  });

  it('apiKey belongs to the root model provider and its same-provider sub-models', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    expect(() => new RecursiveLanguageModel({ model: 'anthropic:claude-sonnet-4-5', subModel: 'anthropic:claude-haiku-4-5', apiKey: 'sk-ant' })).not.toThrow();
    expect(() => new RecursiveLanguageModel({ model: 'anthropic:claude-sonnet-4-5', subModel: 'gpt-4o-mini', apiKey: 'sk-ant' })).toThrow(
      /No OpenAI API key for "gpt-4o-mini"/,
    );
  });

  it('engine settings are checked at construction', () => {
    const model = new MockModel({ replies: [] });
    expect(() => new RecursiveLanguageModel({ model, maxIterations: 0 })).toThrow('`maxIterations` must be an integer ≥ 1; got 0.');
    expect(() => new RecursiveLanguageModel({ model, tools: { FINAL: { execute: () => 1 } } })).toThrow(/Tool name "FINAL" is not usable in Python/);
    expect(() => new RecursiveLanguageModel({ model, directMaxFraction: 1.5 })).toThrow('`directMaxFraction` must be a number in (0, 1]; got 1.5.');
  });

  it('a missing optional model package rejects the query with "install X"', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-test');
    const rlm = create({ model: 'anthropic:claude-sonnet-4-5', sandbox: 'local' });
    const error = await rlm.query({ context: 'x', question: 'q' }).catch((caught: unknown) => caught);
    expect(MissingPackageError.isInstance(error)).toBe(true);
    expect((error as MissingPackageError).packages).toEqual(['@ai-sdk/anthropic']);
    expect((error as Error).message).toBe('The model "anthropic:claude-sonnet-4-5" needs the package @ai-sdk/anthropic: install it with `npm install @ai-sdk/anthropic`.');
  });

  it('a missing optional sandbox package rejects the query with "install X"', async () => {
    const notInstalled = (specifier: string) =>
      Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/node_modules/rlms/dist/import-optional.js`), { code: 'ERR_MODULE_NOT_FOUND' });
    const importModule = async (specifier: string) => {
      if (specifier === '@rlms/sandbox-docker') throw notInstalled(specifier);
      if (specifier === '@rlms/sandbox-e2b') throw notInstalled('e2b'); // the package is there, one of its own imports is not
      if (specifier === '@rlms/sandbox-modal') return { somethingElse: true };
      return import(specifier);
    };
    const model = new MockModel({ replies: [code('FINAL(1)')] });
    const docker = create({ model, sandbox: 'docker', mode: 'rlm', importModule });
    await expect(docker.ready()).rejects.toThrow(MissingPackageError);
    await expect(docker.query({ context: 'x', question: 'q' })).rejects.toThrow(
      'The sandbox "docker" needs the package @rlms/sandbox-docker: install it with `npm install @rlms/sandbox-docker`.',
    );
    const e2b = create({ model, sandbox: 'e2b', mode: 'rlm', importModule });
    await expect(e2b.query({ context: 'x', question: 'q' })).rejects.toThrow("Cannot find package 'e2b'");
    const modal = create({ model, sandbox: 'modal', mode: 'rlm', importModule });
    await expect(modal.query({ context: 'x', question: 'q' })).rejects.toThrow(/createModalSandbox.*npm install @rlms\/sandbox-modal@latest/);
    // Direct mode needs no sandbox at all.
    const direct = create({ model: new MockModel({ replies: ['fine'] }), sandbox: 'docker', mode: 'direct', importModule });
    expect((await direct.query({ context: 'x', question: 'q' })).answer).toBe('fine');
  });

  it('rejects empty contexts and questions with typed errors', async () => {
    const rlm = create({ model: new MockModel({ replies: [] }), sandbox: 'local' });
    for (const context of ['', [], {}]) {
      const error = await rlm.query({ context, question: 'q' }).catch((caught: unknown) => caught);
      expect(ContextError.isInstance(error)).toBe(true);
      expect((error as ContextError).code).toBe('context-empty');
    }
    await expect(rlm.query({ context: 'x', question: '  ' })).rejects.toThrow('`question` must be a non-empty string.');
  });
});
