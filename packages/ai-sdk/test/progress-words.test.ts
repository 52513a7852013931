import { RLMEventNarrator, type RLMEvent } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { generateText } from 'ai';
import { describe, expect, it } from 'vitest';
import { createRLMModel, rlmTool, type RLMToolOutput } from '../src/index.js';
import { ScriptedSandbox, repl } from './helpers.js';

/** "batch" asks three sub-calls at once, "final" answers. */
function batchSandbox(): ScriptedSandbox {
  return new ScriptedSandbox(async ({ code, host }) => {
    if (code === 'batch') {
      const answers = (await host.call({ op: 'llm_query_batched', prompts: ['a', 'b', 'c'] })) as string[];
      return { stdout: answers.join(',') };
    }
    if (code === 'final') return { final: { value: 'done', text: 'done' } };
    throw new Error(`unexpected cell ${code}`);
  });
}

const settings = (sandbox: ScriptedSandbox) => ({
  model: new MockModel({ replies: [repl('batch'), repl('final')], modelId: 'root' }),
  subModel: new MockModel({ replies: ['x'], modelId: 'sub' }),
  sandbox,
});

/** Core's lines for the events of one run tree. */
function coreLines(events: readonly RLMEvent[]): string[] {
  const narrator = new RLMEventNarrator();
  return events.map((event) => narrator.describe(event)).filter((line): line is string => line !== undefined);
}

function expectNoRepeats(lines: readonly string[]): void {
  lines.slice(1).forEach((line, index) => expect(line).not.toBe(lines[index]));
}

describe('AI SDK progress words', () => {
  it("the model's reasoning is core's lines, one line for a batch of sub-calls, none repeated", async () => {
    const events: RLMEvent[] = [];
    const model = createRLMModel({ settings: settings(batchSandbox()), onEvent: (event) => events.push(event) });
    const result = await generateText({ model, prompt: 'Answer.' });
    expect(result.text).toBe('done');
    const lines = result.reasoningText!.split('\n');
    expect(lines).toEqual(coreLines(events));
    expect(lines.filter((line) => line.startsWith('Sub-calls started'))).toHaveLength(1);
    expect(lines.filter((line) => /^3 sub-calls to \S+ finished in /.test(line))).toHaveLength(1);
    expect(lines.at(-1)).toBe('Run completed after 2 iterations and 3 sub-calls.');
    expectNoRepeats(lines);
  });

  it("rlmTool's progress messages are core's lines, reported once each", async () => {
    const events: RLMEvent[] = [];
    const messages: string[] = [];
    const tool = rlmTool({
      settings: settings(batchSandbox()),
      context: 'text',
      onEvent: (event) => events.push(event),
      onProgress: (progress) => messages.push(progress.message),
    });
    const outputs = tool.execute!({ question: 'Q?' }, { toolCallId: 'c', messages: [], context: {} }) as AsyncIterable<RLMToolOutput>;
    for await (const output of outputs) void output;
    expect(messages).toEqual(coreLines(events));
    expect(messages.filter((line) => line.startsWith('3 sub-calls'))).toHaveLength(1);
    expectNoRepeats(messages);
  });
});
