/**
 * Real trajectories for the viewer tests, produced by the engine with scripted models (MockModel)
 * and the local Python sandbox: one with batched sub-calls, a child run, an error and costs; one
 * with 5 000 sub-calls.
 */
import { ModelProviderError, createRLM, type Trajectory } from '@rlms/core';
import { MockModel, type MockCall, type MockReply } from '@rlms/core/testing';
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
  const rlm = createRLM({ model: root, subModel: sub, sandbox: createLocalSandbox(), maxSubcallConcurrency: 64, maxSubcalls: count });
  const result = await rlm.query({ context: 'x', question: `Label ${count} items.` });
  if (result.status !== 'completed') throw new Error(`the wide run ended with ${result.status}: ${result.statusDetail}`);
  return result.trajectory;
}

/** A dict context whose documents hold newlines, quotes and non-ASCII text (shown as documents, not one escaped string). */
export const DOCUMENTS: Readonly<Record<string, string>> = {
  'notes/alpha.md': 'Alpha notes\n- owner: "Zoë"\n- status: it\'s green ✓\n- retries: 5',
  'notes/beta.md': 'Beta notes\n- owner: Jürgen\n- status: amber\n- retries: none',
  'data/gamma.txt': 'Gamma\tdata\n1,2,3\n4,5,6',
};

/** Prompts in the batch of {@link makeBatchTrajectory}. */
export const BATCH_SIZE = 6;

/** Code of {@link makeBatchTrajectory}: a comment with markup, a batch over the documents, FINAL. */
export const BATCH_CODE = [
  '# markup stays text: <img src=x onerror="window.__pwned=1">',
  'keys = sorted(context)',
  `answers = llm_query_batched([f"item-{i}: " + context[keys[i % 3]][:12] for i in range(${BATCH_SIZE})])`,
  'FINAL(" | ".join(answers))',
].join('\n');

/**
 * A run over {@link DOCUMENTS} whose batch of {@link BATCH_SIZE} prompts finishes in reverse order:
 * the sub-model holds every reply until the whole batch has arrived, then releases them last first
 * (ordered by the event loop, not by time), so the trajectory lists the sub-calls in finishing order.
 */
export async function makeBatchTrajectory(): Promise<Trajectory> {
  const held: Array<[number, () => void]> = [];
  const releaseLastFirst = async () => {
    for (const [, release] of held.sort((a, b) => b[0] - a[0])) {
      release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const sub = new MockModel({
    modelId: 'sub-model',
    replies: (call) =>
      new Promise<string>((resolve) => {
        const index = Number(/item-(\d+)/.exec(call.prompt)?.[1]);
        held.push([index, () => resolve(`reply ${index}`)]);
        if (held.length === BATCH_SIZE) void releaseLastFirst();
      }),
  });
  const root = new MockModel({ modelId: 'root-model', replies: [`Batch it.\n\`\`\`repl\n${BATCH_CODE}\n\`\`\``] });
  const rlm = createRLM({ model: root, subModel: sub, sandbox: createLocalSandbox() });
  const result = await rlm.query({ context: { ...DOCUMENTS }, question: 'Summarise every document.' });
  if (result.status !== 'completed') throw new Error(`the batch run ended with ${result.status}: ${result.statusDetail}`);
  return result.trajectory;
}

/**
 * A run that does not complete: `aborted` (its signal fires during the first model call), `error`
 * (the model fails for good) or `max_iterations` (no FINAL in one iteration; a best-effort answer).
 */
export async function makeUnfinishedTrajectory(kind: 'aborted' | 'error' | 'max_iterations'): Promise<Trajectory> {
  const controller = new AbortController();
  const replies: MockReply[] =
    kind === 'error'
      ? [new ModelProviderError('The backend is down (HTTP 400: bad request).', { provider: 'mock', modelId: 'root-model', statusCode: 400, retryable: false })]
      : kind === 'aborted'
        ? []
        : ['Looking.\n```repl\nprint(len(context))\n```', 'Best guess: the file is about a fox.'];
  const root = new MockModel({
    modelId: 'root-model',
    replies: (call) => {
      if (kind === 'aborted') {
        controller.abort();
        return 'never read';
      }
      return replies[call.index] ?? 'no more';
    },
  });
  const rlm = createRLM({ model: root, sandbox: createLocalSandbox(), maxIterations: 1, maxRetries: 0 });
  const result = await rlm.query({ context: 'The quick brown fox.', question: 'What is the file about?', abortSignal: controller.signal });
  if (result.status !== kind) throw new Error(`the run ended with ${result.status} instead of ${kind}: ${result.statusDetail}`);
  return result.trajectory;
}
