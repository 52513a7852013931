/**
 * Real trajectories for the viewer tests, produced by the engine with scripted models (MockModel)
 * and the local Python sandbox: one with batched sub-calls, a child run, an error and costs; one
 * with 5 000 sub-calls.
 */
import { createRLM, type Trajectory } from '@rlms/core';
import { MockModel, type MockCall } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';

/** A string that appears in exactly one sub-call prompt of the small trajectory. */
export const NEEDLE = 'zebra-417';

function assistantTurns(call: MockCall): number {
  return call.messages.filter((message) => message.role === 'assistant').length;
}

const ROOT_STEPS = [
  [
    'I will look at the start of the context, then summarise its parts with sub-models and ask a child RLM to count.',
    '```repl',
    'print(context[:80])',
    // The needle is assembled in Python so that only the sub-call prompt holds it.
    `parts = llm_query_batched([f"Summarise part {i} ({'${NEEDLE.slice(0, 3)}' + '${NEEDLE.slice(3)}' if i == 1 else 'plain'}): " + context[i*50:(i+1)*50] for i in range(3)])`,
    'print(parts)',
    'child = rlm_query("CHILD-TASK: count the words", context[:400])',
    'print(child)',
    '```',
  ].join('\n'),
  'Let me check a variable I did not define.\n```repl\nprint(undefined_total)\n```',
  'Everything is known now.\n```repl\nFINAL("The document repeats one sentence about a fox; " + child)\n```',
];

const CHILD_STEPS = [
  'Counting words in my context.\n```repl\nwords = len(context.split())\nprint("words:", words)\n```',
  '```repl\nFINAL(f"the child counted {words} words")\n```',
];

/** Runs a small RLM tree (depth 2) and returns its trajectory. */
export async function makeSmallTrajectory(): Promise<Trajectory> {
  const root = new MockModel({
    modelId: 'root-model',
    replies: (call) => {
      const isChild = call.messages[1]?.content.includes('CHILD-TASK') === true;
      const script = isChild ? CHILD_STEPS : ROOT_STEPS;
      const text = script[Math.min(assistantTurns(call), script.length - 1)]!;
      return { text, usage: { inputTokens: 900 + call.index * 10, outputTokens: 120, totalTokens: 1020 + call.index * 10 }, costUsd: 0.0021 };
    },
  });
  const sub = new MockModel({
    modelId: 'sub-model',
    replies: (call) => ({
      text: `summary of part ${/part (\d)/.exec(call.prompt)?.[1] ?? '?'}: a fox jumps`,
      usage: { inputTokens: 40, outputTokens: 8, totalTokens: 48 },
      costUsd: 0.0001,
    }),
  });
  const rlm = createRLM({ model: root, subModel: sub, sandbox: createLocalSandbox(), maxDepth: 2, maxIterations: 5 });
  const context = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
  const result = await rlm.query({ context, question: 'What does the document say, and how many words does it have?' });
  if (result.status !== 'completed') throw new Error(`the small run ended with ${result.status}: ${result.statusDetail}`);
  return result.trajectory;
}

/** Runs one iteration with `count` batched sub-calls and returns its trajectory. */
export async function makeWideTrajectory(count: number): Promise<Trajectory> {
  const root = new MockModel({
    modelId: 'root-model',
    replies: [`Fan out.\n\`\`\`repl\nres = llm_query_batched([f"item {i}: label-{i}" for i in range(${count})])\nFINAL(str(len(res)))\n\`\`\``],
  });
  const sub = new MockModel({ modelId: 'sub-model', replies: (call) => `ok ${call.prompt.slice(0, 16)}` });
  const rlm = createRLM({ model: root, subModel: sub, sandbox: createLocalSandbox(), maxSubcallConcurrency: 64 });
  const result = await rlm.query({ context: 'x', question: `Label ${count} items.` });
  if (result.status !== 'completed') throw new Error(`the wide run ended with ${result.status}: ${result.statusDetail}`);
  return result.trajectory;
}
