import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import { ConfigurationError, ModelProviderError, createRLM, type RLMEvent, type RLMSettings } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { Output, generateText, streamText } from 'ai';
import { z } from 'zod/v4';
import { describe, expect, it } from 'vitest';
import { createRLMModel, fromAISDK, splitPrompt } from '../src/index.js';
import { ScriptedSandbox, delay, repl, scriptedLanguageModel, v4Usage } from './helpers.js';

// The warnings-test asserts call warnings on the result; keep the SDK from also printing them.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const HUGE = `${'lorem ipsum dolor sit amet '.repeat(2_000)}\nThe secret code is 7421.\n${'consectetur adipiscing '.repeat(2_000)}`;

/** "find" greps the context for the code and asks a sub-model about the hit; "final" answers with it. */
function codeSandbox(): ScriptedSandbox {
  let found = '';
  return new ScriptedSandbox(async ({ code, host, context }) => {
    if (code === 'find') {
      const text = typeof context === 'string' ? context : JSON.stringify(context);
      const line = text.split('\n').find((candidate) => candidate.includes('secret code')) ?? 'none';
      found = (await host.call({ op: 'llm_query', prompt: `Extract the number: ${line}` })) as string;
      return { stdout: found };
    }
    if (code === 'final') return { final: { value: `The code is ${found}.`, text: `The code is ${found}.` } };
    throw new Error(`unexpected cell ${code}`);
  });
}

function rlmSettings(sandbox: ScriptedSandbox, extra: Partial<RLMSettings> = {}): RLMSettings {
  return {
    model: fromAISDK(
      scriptedLanguageModel({
        modelId: 'root-model',
        replies: [repl('find'), repl('final')],
        usage: () => v4Usage(1000, 50, { cacheRead: 400, reasoning: 10 }),
      }),
    ),
    subModel: fromAISDK(scriptedLanguageModel({ modelId: 'sub-model', replies: ['7421'], usage: () => v4Usage(30, 2) })),
    sandbox,
    ...extra,
  };
}

describe('createRLMModel', () => {
  it('generateText over a huge prompt returns the RLM answer with the usage of the whole run', async () => {
    const sandbox = codeSandbox();
    const model = createRLMModel({ settings: rlmSettings(sandbox) });
    expect(model.modelId).toBe('rlm:root-model');
    const result = await generateText({ model, prompt: `${HUGE}\n\nWhat is the secret code?` });
    expect(result.text).toBe('The code is 7421.');
    expect(result.finishReason).toBe('stop');
    // 2 root calls (1000 in / 400 cached / 50 out / 10 reasoning each) + 1 sub-call (30 in / 2 out).
    expect(result.usage).toMatchObject({
      inputTokens: 2030,
      inputTokenDetails: { cacheReadTokens: 800, noCacheTokens: 1230 },
      outputTokens: 102,
      outputTokenDetails: { reasoningTokens: 20, textTokens: 82 },
      totalTokens: 2132,
    });
    expect(result.reasoningText).toContain('Iteration 1: running code block 1.');
    expect(result.providerMetadata?.rlms).toMatchObject({ status: 'completed', iterations: 2, subcalls: 1 });
    // The prompt is one long user message with a short question: the question comes from the default, the text is the context.
    expect(sandbox.contexts[0]).toBe(`${HUGE}\n\nWhat is the secret code?`);
    expect(sandbox.live).toBe(0);
  });

  it('streamText streams progress as reasoning, then the answer, with usage', async () => {
    const sandbox = codeSandbox();
    const model = createRLMModel({ rlm: createRLM(rlmSettings(sandbox)) });
    const result = streamText({
      model,
      messages: [{ role: 'user', content: [{ type: 'text', text: HUGE }, { type: 'text', text: 'What is the secret code?' }] }],
    });
    const kinds: string[] = [];
    for await (const part of result.fullStream) kinds.push(part.type);
    expect(await result.text).toBe('The code is 7421.');
    expect(await result.reasoningText).toMatch(/Run started \(context: one text[\s\S]*Run completed after 2 iterations/);
    expect((await result.totalUsage).inputTokens).toBe(2030);
    // Progress comes before the answer.
    expect(kinds.indexOf('reasoning-delta')).toBeGreaterThan(-1);
    expect(kinds.indexOf('reasoning-delta')).toBeLessThan(kinds.indexOf('text-delta'));
    expect(sandbox.contexts[0]).toBe(HUGE);
    expect(sandbox.live).toBe(0);
  });

  it('reports a failed run as an error (generateText throws the provider error)', async () => {
    const sandbox = codeSandbox();
    const failing = scriptedLanguageModel({ replies: [], error: 'invalid request: prompt too long' });
    const model = createRLMModel({ settings: rlmSettings(sandbox, { model: fromAISDK(failing) }), progress: 'none' });
    await expect(generateText({ model, prompt: 'short question?', maxRetries: 0 })).rejects.toSatisfy((error: unknown) => {
      return ModelProviderError.isInstance(error) && error.statusCode === 400 && error.message.includes('prompt too long');
    });
    const streamed = streamText({ model, prompt: 'short question?', onError: () => undefined });
    const errors: unknown[] = [];
    for await (const part of streamed.fullStream) if (part.type === 'error') errors.push(part.error);
    expect(errors).toHaveLength(1);
    expect(ModelProviderError.isInstance(errors[0])).toBe(true);
    expect(sandbox.live).toBe(0);
  });

  it('aborting generateText aborts the run and frees the sandbox', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const sandbox = new ScriptedSandbox(async ({ host, signal }) => {
      started();
      await host.call({ op: 'llm_query', prompt: 'slow' }, signal === undefined ? {} : { abortSignal: signal });
      return {};
    });
    const sub = new MockModel({ replies: ['never'], delayMs: 60_000 });
    const model = createRLMModel({ settings: { model: new MockModel({ replies: [repl('slow')] }), subModel: sub, sandbox } });
    const controller = new AbortController();
    const pending = generateText({ model, prompt: 'q?', abortSignal: controller.signal });
    await running;
    await delay(5);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(sub.inFlight).toBe(0);
    expect(sandbox.live).toBe(0);
  });

  it('cancelling the stream aborts the run and frees the sandbox', async () => {
    const sandbox = new ScriptedSandbox(async ({ host, signal }) => {
      await host.call({ op: 'llm_query', prompt: 'slow' }, signal === undefined ? {} : { abortSignal: signal });
      return {};
    });
    const sub = new MockModel({ replies: ['never'], delayMs: 60_000 });
    const model = createRLMModel({ settings: { model: new MockModel({ replies: [repl('slow')] }), subModel: sub, sandbox } });
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'q?' }] }] });
    const reader = stream.getReader();
    for (;;) {
      const { value } = await reader.read();
      if (value?.type === 'reasoning-delta' && value.delta.includes('running code block')) break;
    }
    while (sub.inFlight === 0) await delay(1);
    await reader.cancel();
    expect(sub.inFlight).toBe(0);
    expect(sandbox.live).toBe(0);
  });

  it('warns about call options it cannot honour, and passes events and custom progress lines', async () => {
    const sandbox = codeSandbox();
    const events: RLMEvent['type'][] = [];
    const model = createRLMModel({
      settings: rlmSettings(sandbox),
      progress: (event) => (event.type === 'iteration-start' ? `step ${event.iteration}` : undefined),
      onEvent: (event) => events.push(event.type),
    });
    const result = await generateText({ model, prompt: 'What is the code?', temperature: 0.3, maxOutputTokens: 10 });
    expect(result.reasoningText).toBe('step 1\nstep 2');
    expect(events[0]).toBe('run-start');
    expect(events.at(-1)).toBe('run-end');
    expect(result.warnings?.map((warning) => (warning.type === 'unsupported' ? warning.feature : warning.type)).sort()).toEqual([
      'maxOutputTokens',
      'temperature',
    ]);
  });

  it('structured output: the JSON response schema becomes the run\'s answer schema', async () => {
    let attempt = 0;
    const sandbox = new ScriptedSandbox(async ({ code }) => {
      if (code !== 'final') return {}; // the engine's own setup cells
      // First a value of the wrong shape (sent back to the model to fix), then the right one.
      const value = attempt++ === 0 ? { code: 'seven' } : { code: 7421, found: true };
      return { final: { value, text: JSON.stringify(value) } };
    });
    const model = createRLMModel({
      settings: { model: new MockModel({ replies: [repl('final'), repl('final')] }), sandbox },
    });
    const result = await generateText({
      model,
      output: Output.object({ schema: z.object({ code: z.number(), found: z.boolean() }) }),
      prompt: 'What is the secret code?',
    });
    expect(result.output).toEqual({ code: 7421, found: true });
    expect(result.providerMetadata?.rlms).toMatchObject({ status: 'completed', iterations: 2 });
    expect(result.warnings).toEqual([]);
  });

  it('rejects invalid settings with ConfigurationError', () => {
    expect(() => createRLMModel({})).toThrow(ConfigurationError);
    expect(() => createRLMModel({ settings: rlmSettings(codeSandbox()), contextThresholdChars: 0 })).toThrow(/contextThresholdChars/);
  });
});

describe('splitPrompt', () => {
  const options = { contextThresholdChars: 100, defaultQuestion: 'DEFAULT' };
  const long = (label: string) => `${label} ${'x'.repeat(120)}`;

  it('uses the last user message as the question and long parts as named documents', () => {
    const prompt: LanguageModelV4Prompt = [
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: [{ type: 'text', text: long('first') }, { type: 'text', text: 'Summarise.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Done before.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: long('second') },
          { type: 'file', mediaType: 'text/csv', filename: 'sales.csv', data: { type: 'data', data: new TextEncoder().encode('a,b\n1,2') } },
          { type: 'file', mediaType: 'image/png', data: { type: 'data', data: new Uint8Array([1, 2]) } },
          { type: 'text', text: 'What changed?' },
        ],
      },
    ];
    const split = splitPrompt(prompt, options);
    expect(split.question).toBe('Answer in French.\n\nWhat changed?');
    expect(split.context).toEqual({
      message_1: long('first'),
      message_3: long('second'),
      'sales.csv': 'a,b\n1,2',
      conversation: 'user: Summarise.\nassistant: Done before.',
    });
    expect(split.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'file part (image/png)' })]);
  });

  it('falls back to the default question when the last user message is all context', () => {
    const split = splitPrompt([{ role: 'user', content: [{ type: 'text', text: long('only') }] }], options);
    expect(split).toEqual({ context: long('only'), question: 'DEFAULT' });
  });

  it('uses the question itself as the context when nothing is long', () => {
    const split = splitPrompt([{ role: 'user', content: [{ type: 'text', text: 'Hi?' }] }], options);
    expect(split).toEqual({ context: 'Hi?', question: 'Hi?' });
  });
});
