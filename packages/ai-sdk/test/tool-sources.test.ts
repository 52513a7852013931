/**
 * `sources` of rlmTool with a real Python REPL (@rlms/sandbox-local): the model's code stringifies
 * the context (`json.dumps`, `str`) before sending it to a sub-model, escaping every newline and quote.
 */
import type { SourceEvidence } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterAll, describe, expect, it } from 'vitest';
import { rlmTool, type RLMToolAnswer, type RLMToolOutput } from '../src/index.js';
import { repl, v4Usage } from './helpers.js';

/** Short lines, quotes of both kinds, non-ASCII and an emoji: escaped, no 63-character run of a document survives. */
const NOTES: Readonly<Record<string, string>> = {
  'billing.md': 'Billing\n- retries: 5\n- backoff: "exponential"\n- owner: Zoë\n- it\'s paged 🚨\n- since: v2.3',
  'search.md': 'Search\n- retries: none\n- cache: 10 min\n- owner: Jürgen\n- note: "fail fast"\n- index: nightly',
  'auth.md': 'Auth\n- tokens: 12 h\n- rotation: Mon\n- owner: Ana\n- keys: "HSM"\n- mfa: required',
};

const PICK = 'picked = {k: v for k, v in context.items() if "retries:" in v}';

const sandbox = createLocalSandbox();
afterAll(async () => {
  await sandbox.close?.();
});

/** A tool whose RLM runs `code`, then answers without naming or quoting a document. */
function toolRunning(code: string, sourceEvidence?: SourceEvidence[]) {
  return rlmTool({
    settings: {
      model: new MockModel({
        replies: (call) => {
          if (call.system === undefined) return 'noted';
          const turn = call.messages.filter((message) => message.role === 'assistant').length;
          return turn === 0 ? repl(code) : repl('FINAL("Two services retry.")');
        },
      }),
      sandbox,
      maxIterations: 3,
    },
    context: NOTES,
    ...(sourceEvidence === undefined ? {} : { sourceEvidence }),
  });
}

/** Runs the tool's execute to its last value. */
async function answerOf(tool: ReturnType<typeof toolRunning>, input: { question: string; documents?: string[] }): Promise<RLMToolAnswer> {
  let last: RLMToolOutput | undefined;
  for await (const output of tool.execute!(input, { toolCallId: 't1', messages: [], context: {} }) as AsyncIterable<RLMToolOutput>) last = output;
  expect(last?.type).toBe('answer');
  return last as RLMToolAnswer;
}

describe('rlmTool sources when the model stringifies the context', () => {
  it.each([
    ['json.dumps', `import json\n${PICK}\nllm_query("Summarise: " + json.dumps(picked))`],
    ['str', `${PICK}\nllm_query("Summarise: " + str(picked))`],
  ])('finds the documents sent with %s', async (_name, code) => {
    const answer = await answerOf(toolRunning(code), { question: 'Which services retry?' });
    expect(answer.answer).toBe('Two services retry.');
    expect(answer.sources).toEqual(['billing.md', 'search.md']);
  });

  it("finds documents printed with print(json.dumps(context)) under the 'output' evidence, within the selected documents", async () => {
    const tool = toolRunning('import json\nprint(json.dumps(context))', ['output']);
    expect((await answerOf(tool, { question: 'Which services retry?' })).sources).toEqual(['billing.md', 'search.md', 'auth.md']);
    expect((await answerOf(tool, { question: 'Which services retry?', documents: ['auth.md', 'search.md'] })).sources).toEqual(['search.md', 'auth.md']);
  });

  it('shows the calling model the answer followed by its sources', async () => {
    const seen: string[] = [];
    const agent = new MockLanguageModelV4({
      doGenerate: async (options) => {
        const toolMessage = options.prompt.find((message) => message.role === 'tool');
        if (toolMessage === undefined) {
          return {
            content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'notes', input: JSON.stringify({ question: 'Which services retry?' }) }],
            finishReason: { unified: 'tool-calls', raw: 'tool_use' },
            usage: v4Usage(10, 5),
            warnings: [],
          };
        }
        const part = toolMessage.content[0]!;
        if (part.type === 'tool-result' && part.output.type === 'text') seen.push(part.output.value);
        return { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: 'end_turn' }, usage: v4Usage(10, 5), warnings: [] };
      },
    });
    await generateText({
      model: agent,
      tools: { notes: toolRunning(`import json\n${PICK}\nllm_query(json.dumps(picked))`) },
      stopWhen: stepCountIs(3),
      prompt: 'Which services retry?',
    });
    expect(seen).toEqual(['Two services retry.\n\n[Sources: billing.md, search.md]']);
  });
});
