import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { ConfigurationError, createRLM, type RLMSettings } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { generateText, stepCountIs, streamText } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { rlmTool, type RLMProgress, type RLMToolAnswer, type RLMToolOutput } from '../src/index.js';
import { ScriptedSandbox, delay, repl, v4Usage } from './helpers.js';

const CORPUS: Record<string, string> = {
  'api.log': `${'200 GET /health\n'.repeat(200)}ERROR upstream timeout in billing-svc\n`,
  'worker.log': `${'job done\n'.repeat(200)}`,
  'web.log': `${'200 GET /\n'.repeat(200)}ERROR timeout talking to billing-svc\n`,
};

/** A sandbox whose "search" cell asks one sub-call per document, then "final" answers. */
function searchSandbox(): ScriptedSandbox {
  return new ScriptedSandbox(async ({ code, host, context }) => {
    if (code === 'search') {
      const documents = context as Record<string, string>;
      const prompts = Object.entries(documents).map(([name, text]) => `In ${name}, which service times out?\n${text.slice(-60)}`);
      const answers = (await host.call({ op: 'llm_query_batched', prompts })) as string[];
      return { stdout: answers.join('\n') };
    }
    if (code === 'final') return { final: { value: 'billing-svc times out', text: 'billing-svc times out' } };
    throw new Error(`unexpected cell ${code}`);
  });
}

function settingsWith(sandbox: ScriptedSandbox, extra: Partial<RLMSettings> = {}): RLMSettings {
  return {
    model: new MockModel({ replies: [repl('search'), repl('final')], modelId: 'root' }),
    subModel: new MockModel({ replies: ({ prompt }) => (prompt.includes('ERROR') ? 'billing-svc' : 'nothing'), modelId: 'sub' }),
    sandbox,
    ...extra,
  };
}

/** An outer agent model: first calls the tool with `input`, then answers with what the tool returned. */
function agentModel(input: Record<string, unknown>): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    modelId: 'agent',
    doGenerate: async (options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> => {
      const toolMessage = options.prompt.find((message) => message.role === 'tool');
      if (toolMessage === undefined) {
        return {
          content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'logs', input: JSON.stringify(input) }],
          finishReason: { unified: 'tool-calls', raw: 'tool_use' },
          usage: v4Usage(100, 20),
          warnings: [],
        };
      }
      const result = toolMessage.content[0]!;
      const output = result.type === 'tool-result' ? result.output : undefined;
      const text = output?.type === 'text' || output?.type === 'error-text' ? output.value : JSON.stringify(output);
      return {
        content: [{ type: 'text', text: `Agent: ${text}` }],
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage: v4Usage(150, 30),
        warnings: [],
      };
    },
  });
}

describe('rlmTool under generateText', () => {
  it('runs the RLM, reports progress and the answer with its usage, and the outer usage', async () => {
    const sandbox = searchSandbox();
    const progress: RLMProgress[] = [];
    const logs = rlmTool({
      settings: settingsWith(sandbox),
      context: CORPUS,
      onProgress: (snapshot, { toolCallId }) => {
        expect(toolCallId).toBe('call-1');
        progress.push(snapshot);
      },
    });
    const result = await generateText({
      model: agentModel({ question: 'Which service times out?' }),
      tools: { logs },
      stopWhen: stepCountIs(3),
      prompt: 'Look at the logs: what times out?',
    });

    expect(result.text).toBe('Agent: billing-svc times out');
    // Outer usage: both agent calls.
    expect(result.totalUsage.inputTokens).toBe(250);
    expect(result.totalUsage.outputTokens).toBe(50);
    // The RLM's answer and usage, as the tool's final output.
    const toolResult = result.steps[0]!.toolResults[0]!;
    const answer = toolResult.output as RLMToolAnswer;
    expect(answer).toMatchObject({ type: 'answer', answer: 'billing-svc times out', status: 'completed', iterations: 2, subcalls: 3 });
    expect(answer.usage.calls).toBe(5); // 2 root calls + 3 sub-calls
    expect(answer.usage.inputTokens).toBeGreaterThan(0);
    expect(answer.usage.totalTokens).toBe(answer.usage.inputTokens + answer.usage.outputTokens);
    // Progress: iterations, code, sub-calls, tokens, in order.
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.map((p) => p.iteration)).toContain(2);
    expect(progress.some((p) => p.phase === 'code')).toBe(true);
    expect(progress.some((p) => p.subcallsInFlight > 0)).toBe(true);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ type: 'progress', phase: 'finishing', subcalls: 3 });
    expect(last.totalTokens).toBe(answer.usage.totalTokens);
    expect(last.message).toMatch(/^Run completed after/);
    expect(sandbox.created).toBe(1);
    expect(sandbox.live).toBe(0);
  });

  it('accepts an RLM from createRLM and restricts the context to the documents the model names', async () => {
    const sandbox = searchSandbox();
    const logs = rlmTool({ rlm: createRLM(settingsWith(sandbox)), context: CORPUS });
    await generateText({
      model: agentModel({ question: 'Which service times out?', documents: ['web.log'] }),
      tools: { logs },
      stopWhen: stepCountIs(3),
      prompt: 'Check the web log.',
    });
    expect(sandbox.contexts).toEqual([{ 'web.log': CORPUS['web.log'] }]);
  });

  it('reports unknown documents to the model as a tool error listing the available ones', async () => {
    const sandbox = searchSandbox();
    const logs = rlmTool({ settings: settingsWith(sandbox), context: CORPUS });
    const result = await generateText({
      model: agentModel({ question: 'Q?', documents: ['db.log'] }),
      tools: { logs },
      stopWhen: stepCountIs(3),
      prompt: 'Check the db log.',
    });
    expect(result.text).toContain('Unknown document(s) "db.log"');
    expect(result.text).toContain('"api.log", "worker.log", "web.log"');
    expect(sandbox.created).toBe(0);
  });

  it('loads the context per call with getContext', async () => {
    const sandbox = searchSandbox();
    const requests: unknown[] = [];
    const logs = rlmTool({
      settings: settingsWith(sandbox),
      getContext: ({ question, documents, toolCallId }) => {
        requests.push({ question, documents, toolCallId });
        return { 'api.log': CORPUS['api.log']! };
      },
    });
    const result = await generateText({ model: agentModel({ question: 'What fails?' }), tools: { logs }, stopWhen: stepCountIs(3), prompt: 'p' });
    expect(requests).toEqual([{ question: 'What fails?', documents: undefined, toolCallId: 'call-1' }]);
    expect(result.text).toBe('Agent: billing-svc times out');
  });

  it('hands a failed run to the model as a tool error, and frees the sandbox', async () => {
    const sandbox = searchSandbox();
    const logs = rlmTool({
      settings: settingsWith(sandbox, { model: new MockModel({ replies: [repl('search'), new Error('root model exploded')] }), maxRetries: 0 }),
      context: CORPUS,
    });
    const result = await generateText({ model: agentModel({ question: 'Q?' }), tools: { logs }, stopWhen: stepCountIs(3), prompt: 'p' });
    expect(result.text).toContain('root model exploded');
    expect(sandbox.live).toBe(0);
  });

  it('tells the model when a budget stopped the run early', async () => {
    const sandbox = searchSandbox();
    const logs = rlmTool({
      settings: settingsWith(sandbox, {
        model: new MockModel({ replies: [repl('search'), 'FINAL(best guess: billing-svc)'] }),
        maxIterations: 1,
      }),
      context: CORPUS,
    });
    const result = await generateText({ model: agentModel({ question: 'Q?' }), tools: { logs }, stopWhen: stepCountIs(3), prompt: 'p' });
    const answer = result.steps[0]!.toolResults[0]!.output as RLMToolAnswer;
    expect(answer.status).toBe('max_iterations');
    expect(result.text).toContain('best guess: billing-svc');
    expect(result.text).toContain('stopped early (max_iterations)');
  });

  it('aborting the outer call aborts the RLM and frees the sandbox', async () => {
    const controller = new AbortController();
    let cellStarted!: () => void;
    const started = new Promise<void>((resolve) => (cellStarted = resolve));
    const sandbox = new ScriptedSandbox(async ({ host, signal }) => {
      cellStarted();
      // A sub-call that hangs until aborted.
      await host.call({ op: 'llm_query', prompt: 'slow' }, signal === undefined ? {} : { abortSignal: signal });
      return { stdout: 'unreachable' };
    });
    const sub = new MockModel({ replies: ['never'], delayMs: 60_000 });
    const logs = rlmTool({ settings: { model: new MockModel({ replies: [repl('slow')] }), subModel: sub, sandbox }, context: 'text' });
    const pending = generateText({
      model: agentModel({ question: 'Q?' }),
      tools: { logs },
      stopWhen: stepCountIs(3),
      prompt: 'p',
      abortSignal: controller.signal,
    });
    await started;
    await delay(10);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(sub.calls).toHaveLength(1);
    expect(sub.inFlight).toBe(0);
    expect(sandbox.created).toBe(1);
    expect(sandbox.live).toBe(0);
  });
});

describe('rlmTool under streamText', () => {
  it('streams progress as preliminary tool results, then the final answer', async () => {
    const sandbox = searchSandbox();
    const logs = rlmTool({ settings: settingsWith(sandbox), context: CORPUS });
    let call = 0;
    const model = new MockLanguageModelV4({
      doStream: async () => {
        const parts: LanguageModelV4StreamPart[] =
          call++ === 0
            ? [
                { type: 'tool-call', toolCallId: 'call-1', toolName: 'logs', input: JSON.stringify({ question: 'What times out?' }) },
                { type: 'finish', finishReason: { unified: 'tool-calls', raw: undefined }, usage: v4Usage(10, 5) },
              ]
            : [
                { type: 'text-start', id: 't' },
                { type: 'text-delta', id: 't', delta: 'Done.' },
                { type: 'text-end', id: 't' },
                { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage: v4Usage(20, 2) },
              ];
        return { stream: convertArrayToReadableStream(parts) };
      },
    });
    const result = streamText({ model, tools: { logs }, stopWhen: stepCountIs(3), prompt: 'p' });
    const toolResults: { preliminary: boolean; output: RLMToolOutput }[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'tool-result') toolResults.push({ preliminary: part.preliminary === true, output: part.output as RLMToolOutput });
    }
    const preliminary = toolResults.filter((entry) => entry.preliminary);
    const final = toolResults.filter((entry) => !entry.preliminary);
    expect(preliminary.length).toBeGreaterThan(2);
    // The AI SDK emits every yielded value as preliminary, the last one (the answer) included.
    expect(preliminary.slice(0, -1).every((entry) => entry.output.type === 'progress')).toBe(true);
    expect(preliminary.at(-1)!.output.type).toBe('answer');
    expect(final).toHaveLength(1);
    expect(final[0]!.output).toMatchObject({ type: 'answer', answer: 'billing-svc times out', status: 'completed' });
    expect(await result.text).toBe('Done.');
    expect((await result.totalUsage).inputTokens).toBe(30);
    expect(sandbox.live).toBe(0);
  });
});

describe('rlmTool execute', () => {
  it('stopping the iteration early aborts the run and frees the sandbox', async () => {
    const sandbox = new ScriptedSandbox(async ({ host, signal }) => {
      await host.call({ op: 'llm_query', prompt: 'slow' }, signal === undefined ? {} : { abortSignal: signal });
      return {};
    });
    const sub = new MockModel({ replies: ['never'], delayMs: 60_000 });
    const logs = rlmTool({ settings: { model: new MockModel({ replies: [repl('slow')] }), subModel: sub, sandbox }, context: 'text' });
    const iterable = logs.execute!({ question: 'Q?' }, { toolCallId: 'c', messages: [], context: {} }) as AsyncIterable<RLMToolOutput>;
    for await (const output of iterable) {
      if (output.type === 'progress' && output.subcallsInFlight > 0) break;
    }
    expect(sandbox.created).toBe(1);
    expect(sandbox.live).toBe(0);
    expect(sub.inFlight).toBe(0);
  });

  it('describes the corpus and offers document selection only for named documents', () => {
    const sandbox = searchSandbox();
    const named = rlmTool({ settings: settingsWith(sandbox), context: CORPUS });
    expect(named.description).toContain('3 named documents ("api.log", "worker.log", "web.log")');
    expect(named.description).toContain('`documents`');
    const text = rlmTool({ settings: settingsWith(sandbox), context: 'x'.repeat(12_345), description: undefined });
    expect(text.description).toContain('a text of 12,345 characters');
    expect(text.description).not.toContain('`documents`');
    expect(rlmTool({ settings: settingsWith(sandbox), context: 'x', description: 'Custom.' }).description).toBe('Custom.');
  });

  it('rejects invalid settings with ConfigurationError', () => {
    const settings = settingsWith(searchSandbox());
    expect(() => rlmTool({ settings, context: 'x', rlm: createRLM(settings) })).toThrow(ConfigurationError);
    expect(() => rlmTool({ context: 'x' })).toThrow(/give `rlm`/);
    expect(() => rlmTool({ settings })).toThrow(/`context`.*`getContext`/);
    expect(() => rlmTool({ settings, context: 'x', getContext: () => 'y' })).toThrow(ConfigurationError);
    expect(() => rlmTool({ settings: { ...settings, model: {} as never }, context: 'x' })).toThrow(/`model` must be a model provider/);
  });
});
