import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnswerValidationError, createRLM, defineTool } from '../src/index.js';
import { MockModel } from '../src/testing/index.js';
// The local sandbox is a sibling workspace package; importing its source keeps core free of a dependency cycle.
import { createLocalSandbox } from '../../sandbox-local/src/index.js';

const sandbox = createLocalSandbox();
afterAll(() => sandbox.close?.());

describe('typed answers (schema)', () => {
  const Answer = z.object({ count: z.number().int(), names: z.array(z.string()) });

  it('validates FINAL against a zod schema, feeds a mismatch back, and types the answer', async () => {
    const model = new MockModel({
      replies: [
        '```repl\nFINAL({"count": "three"})\n```',
        '```repl\nprint(ANSWER_SCHEMA["required"])\nFINAL({"count": 3, "names": ["a", "b", "c"]})\n```',
      ],
    });
    const rlm = createRLM({ model, sandbox });
    const result = await rlm.query({ context: 'a b c', question: 'Count the names.', schema: Answer });
    expect(result.status).toBe('completed');
    const answer: { count: number; names: string[] } = result.answer;
    expect(answer).toEqual({ count: 3, names: ['a', 'b', 'c'] });
    expect(result.iterations).toBe(2);
    const feedback = result.trajectory.steps[0]!.observation.feedback;
    expect(feedback).toContain('does not match the required shape');
    expect(feedback).toMatch(/count/);
    expect(result.trajectory.steps[1]!.observation.executions[0]!.result.stdout).toContain("['count', 'names']");
    expect(model.calls[0]!.system).toContain('JSON Schema');
  });

  it('accepts a JSON Schema and a JSON string answer written as text', async () => {
    const schema = { type: 'object', properties: { total: { type: 'integer' } }, required: ['total'] };
    const rlm = createRLM({ model: new MockModel({ replies: ['FINAL({"total": 7})'] }), sandbox });
    const result = await rlm.query({ context: 'x', question: 'q', schema });
    expect(result.answer).toEqual({ total: 7 });
  });

  it('ends with AnswerValidationError after maxSchemaRetries', async () => {
    const rlm = createRLM({
      model: new MockModel({ replies: ['```repl\nFINAL(1)\n```', '```repl\nFINAL(2)\n```'] }),
      sandbox,
      maxSchemaRetries: 1,
    });
    const result = await rlm.query({ context: 'x', question: 'q', schema: Answer });
    expect(result.status).toBe('error');
    expect(AnswerValidationError.isInstance(result.error)).toBe(true);
  });
});

describe('host tools', () => {
  it('validates keyword arguments on the host and raises TypeError in Python for bad ones', async () => {
    const calls: unknown[] = [];
    const lookup = defineTool({
      description: 'Looks up a customer by id.',
      parameters: z.object({ customer_id: z.number().int(), include_orders: z.boolean().default(false) }),
      execute: (args) => {
        calls.push(args);
        return { id: args.customer_id, orders: args.include_orders ? [1, 2] : [] };
      },
    });
    const model = new MockModel({
      replies: [
        [
          '```repl',
          'try:',
          '    lookup(customer_id="not a number")',
          'except TypeError as error:',
          '    print("TypeError:", error)',
          'record = lookup(customer_id=42, include_orders=True)',
          'positional = lookup(7)',
          'FINAL({"record": record, "positional": positional})',
          '```',
        ].join('\n'),
      ],
    });
    const rlm = createRLM({ model, sandbox, tools: { lookup } });
    const result = await rlm.query({ context: 'x', question: 'q' });
    expect(result.status).toBe('completed');
    expect(result.answerValue).toEqual({ record: { id: 42, orders: [1, 2] }, positional: { id: 7, orders: [] } });
    expect(result.trajectory.steps[0]!.observation.executions[0]!.result.stdout).toMatch(/TypeError: lookup\(\) got invalid arguments: customer_id/);
    expect(calls).toEqual([{ customer_id: 42, include_orders: true }, { customer_id: 7, include_orders: false }]);
    expect(model.calls[0]!.system).toContain('lookup(customer_id: integer, include_orders: boolean)');
    const tools = result.trajectory.steps[0]!.subcalls.filter((call) => call.op === 'tool');
    expect(tools).toHaveLength(3);
    expect(tools[0]!.error).toContain('invalid arguments');
  });

  it('raises a tool failure as a catchable Python exception', async () => {
    const rlm = createRLM({
      model: new MockModel({ replies: ['```repl\ntry:\n    boom()\nexcept RuntimeError as error:\n    FINAL(str(error))\n```'] }),
      sandbox,
      tools: { boom: { execute: () => { throw new Error('backend down'); } } },
    });
    const result = await rlm.query({ context: 'x', question: 'q' });
    expect(result.answer).toContain('backend down');
  });
});

describe('multi-turn sessions', () => {
  it('keeps one REPL across questions, with earlier turns in `history`, and frees it on close', async () => {
    const { trackSandbox } = await import('../src/testing/index.js');
    const tracked = trackSandbox(sandbox);
    const model = new MockModel({
      replies: [
        '```repl\nwords = context.split()\nFINAL(len(words))\n```',
        '```repl\nprint(len(history), history[0]["question"])\nFINAL(f"{words[0]} (of {history[0][\'answer\']})")\n```',
      ],
    });
    const rlm = createRLM({ model, sandbox: tracked });
    const session = rlm.session({ context: 'alpha beta gamma' });
    const first = await session.query('How many words?');
    expect(first.answer).toBe('3');
    const second = await session.query({ question: 'Which is the first one?' });
    expect(second.status).toBe('completed');
    expect(second.answer).toBe('alpha (of 3)');
    expect(second.trajectory.steps[0]!.observation.executions[0]!.result.stdout).toContain('1 How many words?');
    expect(model.calls[1]!.messages[1]!.content).toContain('turn 2 of a conversation');
    expect(model.calls[1]!.messages).toHaveLength(2);
    expect(session.history.map((turn) => turn.answer)).toEqual(['3', 'alpha (of 3)']);
    expect(tracked.created).toBe(1);
    expect(tracked.live).toBe(1);
    await session.close();
    expect(tracked.live).toBe(0);
    await expect(session.query('again?')).rejects.toThrow(/closed/);
  });
});

describe('sub-call cache', () => {
  it('serves a second identical run from the cache with zero model calls', async () => {
    const { createMemoryCache } = await import('../src/index.js');
    const script = [
      '```repl\nparts = llm_query_batched([f"word {w}" for w in context.split()])\nprint(parts)\n```',
      '```repl\nFINAL(" ".join(parts))\n```',
    ];
    const root = new MockModel({ replies: [...script, ...script] });
    const sub = new MockModel({ replies: ({ prompt }) => prompt.toUpperCase() });
    const cache = createMemoryCache();
    const rlm = createRLM({ model: root, subModel: sub, sandbox, cache });
    const first = await rlm.query({ context: 'red green blue', question: 'Shout the words.' });
    expect(first.answer).toBe('WORD RED WORD GREEN WORD BLUE');
    expect(first.cacheHits).toBe(0);
    const callsAfterFirst = root.calls.length + sub.calls.length;
    expect(callsAfterFirst).toBe(5);
    const second = await rlm.query({ context: 'red green blue', question: 'Shout the words.' });
    expect(second.answer).toBe(first.answer);
    expect(root.calls.length + sub.calls.length).toBe(callsAfterFirst);
    expect(second.cacheHits).toBe(5);
    expect(second.usage.total.calls).toBe(0);
  });

  it('persists across RLM instances with a file cache', async () => {
    const { createFileCache } = await import('../src/index.js');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const directory = await mkdtemp(join(tmpdir(), 'rlms-cache-'));
    try {
      const make = () => new MockModel({ replies: ['```repl\nFINAL(llm_query("ping"))\n```'] });
      const sub = () => new MockModel({ replies: ['pong'] });
      const first = await createRLM({ model: make(), subModel: sub(), sandbox, cache: createFileCache(directory) }).query({ context: 'c', question: 'q' });
      const model = make();
      const second = await createRLM({ model, subModel: sub(), sandbox, cache: createFileCache(directory) }).query({ context: 'c', question: 'q' });
      expect(first.answer).toBe('pong');
      expect(second.answer).toBe('pong');
      expect(model.calls).toHaveLength(0);
      expect(second.cacheHits).toBe(2);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('replay', () => {
  it('reproduces a saved run (depth 2, batched sub-calls) from its trajectory with no model calls', async () => {
    const { createReplay } = await import('../src/index.js');
    const root = new MockModel({
      replies: [
        '```repl\nparts = llm_query_batched([f"describe {w}" for w in context["words"]])\nchild = rlm_query("Count them", context=parts)\n```',
        '```repl\nFINAL(f"{len(context)} parts")\n```',
        '```repl\nFINAL(child + " / " + parts[0])\n```',
      ],
    });
    const sub = new MockModel({ replies: ({ prompt }) => `<${prompt}>` });
    const original = await createRLM({ model: root, subModel: sub, sandbox, maxDepth: 2 }).query({
      context: { words: ['sun', 'moon'] },
      question: 'Describe the words.',
    });
    expect(original.answer).toBe('2 parts / <describe sun>');
    const saved = JSON.parse(JSON.stringify(original.trajectory));

    const replay = createReplay(saved);
    const replayed = await createRLM({ model: replay.model, subModel: replay.subModel, sandbox, maxDepth: 2 }).query({
      context: replay.context as Record<string, unknown>,
      question: replay.question,
    });
    expect(replayed.status).toBe('completed');
    expect(replayed.answer).toBe(replay.expectedAnswer);
    expect(replayed.iterations).toBe(original.iterations);
    expect(replayed.subcalls).toBe(original.subcalls);
    expect(root.calls).toHaveLength(3);
    expect(sub.calls).toHaveLength(2);
  });
});

describe('verified quotes', () => {
  it('locates real quotes (exact and whitespace-normalised) and reports a hallucinated one', async () => {
    const contracts = {
      'acme.txt': 'Clause 4. The Supplier shall process personal data only on documented instructions.',
      'globex.txt': 'Clause 9. Data may be   transferred\noutside the EEA with safeguards.',
    };
    const answer = [
      'Findings:',
      '- acme: "The Supplier shall process personal data only on documented instructions"',
      '- globex: “Data may be transferred outside the EEA with safeguards”',
      '- initech: "All data is deleted within 24 hours of termination"',
    ].join('\n');
    const rlm = createRLM({ model: new MockModel({ replies: ['```repl\nFINAL(' + JSON.stringify(answer) + ')\n```'] }), sandbox });
    const result = await rlm.query({ context: contracts, question: 'Quote the privacy clauses.', verifyQuotes: true });
    expect(result.citations?.citations).toEqual([
      { quote: 'The Supplier shall process personal data only on documented instructions', documentKey: 'acme.txt', offset: 10, match: 'exact' },
      { quote: 'Data may be transferred outside the EEA with safeguards', documentKey: 'globex.txt', offset: 10, match: 'normalized' },
    ]);
    expect(result.citations?.notFound).toEqual(['All data is deleted within 24 hours of termination']);
  });
});

describe('OpenTelemetry', () => {
  it('emits nested spans for the run, iterations, model calls, executions and sub-calls', async () => {
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const rlm = createRLM({
      model: new MockModel({ modelId: 'root-model', replies: ['```repl\nx = llm_query("hi")\n```', '```repl\nFINAL(x)\n```'] }),
      subModel: new MockModel({ modelId: 'sub-model', replies: ['hello'] }),
      sandbox,
      telemetry: { tracer: provider.getTracer('test') },
    });
    const result = await rlm.query({ context: 'c', question: 'q' });
    expect(result.answer).toBe('hello');
    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.filter((span) => span.name === name);
    const run = byName('rlm.run')[0]!;
    expect(run.attributes['rlms.status']).toBe('completed');
    expect(byName('rlm.iteration')).toHaveLength(2);
    expect(byName('chat root-model')).toHaveLength(2);
    const sub = byName('chat sub-model')[0]!;
    expect(sub.attributes['gen_ai.request.model']).toBe('sub-model');
    expect(sub.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    const execution = byName('rlm.execute')[0]!;
    expect(sub.parentSpanContext?.spanId).toBe(execution.spanContext().spanId);
    expect(byName('rlm.iteration')[0]!.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    await provider.shutdown();
  });
});
