/**
 * Waiting on sub-calls is not a runaway (issue 24): the cell timeout counts the time a cell runs
 * Python (and stalls where no sub-call finishes), not the time it waits on models. A run
 * interrupted mid-batch keeps what finished; the closing "answer now" reply is parsed like any
 * reply. Through the public API (createRLM + MockModel) on the local and Pyodide sandboxes.
 */
import { describe, expect, it } from 'vitest';
import { createRLM, type RLMEvent } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { inProcessSandboxes } from '../src/in-process-sandboxes.ts';

const SANDBOXES = inProcessSandboxes();

const BATCH_600 = [
  '```repl',
  'prompts = [f"item {i}" for i in range(600)]',
  'answers = llm_query_batched(prompts)',
  'FINAL(sum(1 for a in answers if a.startswith("done:")))',
  '```',
].join('\n');

function subModel(delayMs: number) {
  return new MockModel({ modelId: 'sub', delayMs, replies: ({ prompt }) => `done:${prompt}` });
}

for (const kind of SANDBOXES) {
  describe(`${kind.name}: the cell timeout counts Python, not waiting on sub-calls`, { timeout: 300_000 }, () => {
    const sandbox = kind.sandbox();

    it('600 sub-calls at 200 ms, 16 at a time, under executionTimeoutMs 2 000: completes with every answer', async () => {
      const rlm = createRLM({
        model: new MockModel({ modelId: 'root', replies: [BATCH_600] }),
        subModel: subModel(200),
        sandbox,
        maxSubcallConcurrency: 16,
        executionTimeoutMs: 2_000,
      });
      const result = await rlm.query({ context: 'unused', question: 'Count the answers.' });
      expect(result.status, result.trajectory.steps[0]?.observation.feedback.slice(0, 1500)).toBe('completed');
      expect(result.answer).toBe('600');
      expect(result.subcalls).toBe(600);
      const subcalls = result.trajectory.steps[0]!.subcalls;
      // Recorded in prompt order with their batch index, whatever order they finished in.
      expect(subcalls.map((call) => call.batchIndex)).toEqual([...Array(600).keys()]);
      expect(subcalls.map((call) => call.input)).toEqual([...Array(600).keys()].map((i) => `item ${i}`));
    });

    it('`while True: pass` under the same setting is still interrupted, and the session lives on', async () => {
      const rlm = createRLM({
        model: new MockModel({ modelId: 'root', replies: ['```repl\nkept = 1\nwhile True:\n    pass\n```', '```repl\nFINAL(kept)\n```'] }),
        sandbox,
        executionTimeoutMs: 2_000,
      });
      const result = await rlm.query({ context: 'unused', question: 'Loop.' });
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('1');
      expect(result.trajectory.steps[0]!.observation.executions[0]!.result.timedOut).toBe(true);
    });

    it('a cell interrupted while sub-calls run tells the model how many finished; they stay in usage and the trajectory', async () => {
      // Python keeps computing between short sub-calls: the Python time adds up past the limit.
      const code = [
        '```repl',
        'got = []',
        'while True:',
        '    got.append(llm_query("tick"))',
        '    x = sum(range(200_000))',
        '```',
      ].join('\n');
      const rlm = createRLM({
        model: new MockModel({ modelId: 'root', replies: [code, '```repl\nFINAL(len(got) > 0)\n```'] }),
        subModel: subModel(0),
        sandbox,
        executionTimeoutMs: 1_000,
      });
      const result = await rlm.query({ context: 'unused', question: 'Tick.' });
      expect(result.status).toBe('completed');
      const step = result.trajectory.steps[0]!;
      expect(step.observation.executions[0]!.result.timedOut).toBe(true);
      const finished = step.subcalls.filter((call) => call.error === undefined).length;
      expect(finished).toBeGreaterThan(0);
      expect(step.observation.feedback).toContain(`${finished} of ${step.subcalls.length} had finished`);
      expect(result.usage.byDepth[1]?.calls).toBe(finished);
    });

    it('a run aborted mid-batch keeps the finished sub-calls in its usage and trajectory', async () => {
      const controller = new AbortController();
      let answered = 0;
      const sub = new MockModel({
        modelId: 'sub',
        replies: ({ index }) => {
          // The first 20 answer at once; the rest wait until the abort cancels them.
          if (index < 20) {
            if (++answered === 20) setTimeout(() => controller.abort(), 50);
            return { text: `fast ${index}` };
          }
          return { text: 'slow', delayMs: 3_600_000 };
        },
      });
      const rlm = createRLM({
        model: new MockModel({ modelId: 'root', replies: ['```repl\nanswers = llm_query_batched([f"p{i}" for i in range(100)])\n```'] }),
        subModel: sub,
        sandbox,
        maxSubcallConcurrency: 100,
      });
      const events: RLMEvent[] = [];
      const result = await rlm.query({ context: 'unused', question: 'Batch.', abortSignal: controller.signal, onEvent: (event) => events.push(event) });
      expect(result.status).toBe('aborted');
      const subcalls = result.trajectory.steps.flatMap((step) => step.subcalls);
      const finished = subcalls.filter((call) => call.error === undefined);
      expect(finished).toHaveLength(20);
      expect(finished.every((call) => call.output.startsWith('fast'))).toBe(true);
      expect(result.usage.byModel['mock:sub']?.calls).toBe(20);
      expect(events.filter((event) => event.type === 'subcall-end' && event.error === undefined)).toHaveLength(20);
    });

    it('a closing reply that is only a code block with FINAL_VAR answers with the variable, not the code', async () => {
      const rlm = createRLM({
        model: new MockModel({
          modelId: 'root',
          replies: ({ index }) =>
            index === 0 ? '```repl\nbest = "forty-two"\nprint("thinking")\n```' : '```repl\nFINAL_VAR(best)\n```',
        }),
        sandbox,
        maxIterations: 1,
      });
      const result = await rlm.query({ context: 'unused', question: 'Answer.' });
      expect(result.status).toBe('max_iterations');
      expect(result.answer).toBe('forty-two');
    });
  });
}
