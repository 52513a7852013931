/**
 * What the peers have that rlms lacked (issue 20, point 16, and point 5's `context_1…`): a new
 * `context` on a session turn, `rlm_query(prompt, model=…)`, and a limit on consecutive failing
 * iterations. Through createRLM + MockModel on the local and Pyodide sandboxes.
 */
import { describe, expect, it } from 'vitest';
import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { inProcessSandboxes } from '../src/in-process-sandboxes.ts';

const SANDBOXES = inProcessSandboxes();

for (const kind of SANDBOXES) {
  describe(`${kind.name}: peer features`, { timeout: 300_000 }, () => {
    const sandbox = kind.sandbox();

    it('a session turn with a new context loads it as context_1 (now also `context`); context_0 keeps the first', async () => {
      const replies = [
        '```repl\nFINAL(context[:5])\n```',
        '```repl\nFINAL([context_0[:5], context_1[:6], context[:6]])\n```',
        '```repl\nFINAL([context_0[:5], context_1[:6], context_2[:5], context[:5]])\n```',
      ];
      const model = new MockModel({ modelId: 'root', replies });
      const session = createRLM({ model, sandbox }).session({ context: 'first document' });
      try {
        expect((await session.query('What does it start with?')).answer).toBe('first');
        const second = await session.query({ question: 'And now?', context: 'second document' });
        expect(second.answerValue).toEqual(['first', 'second', 'second']);
        expect(model.calls[1]!.messages[1]!.content).toContain('This turn brings a new context: `context_1`');
        const third = await session.query({ question: 'And the third?', context: 'third document' });
        expect(third.answerValue).toEqual(['first', 'second', 'third', 'third']);
      } finally {
        await session.close();
      }
    });

    it('rlm_query(prompt, model="…") runs the child on that configured sub-model; an unknown name is refused', async () => {
      const root = new MockModel({
        modelId: 'root',
        replies: [
          '```repl\nanswer = rlm_query("Which model answers?", model="careful")\ntry:\n    rlm_query("x", model="gpt-3.5-turbo")\nexcept ValueError as error:\n    refused = str(error)\nFINAL([answer, refused[:80]])\n```',
        ],
      });
      const careful = new MockModel({ modelId: 'careful-model', replies: ['```repl\nFINAL("answered by careful")\n```'] });
      const rlm = createRLM({ model: root, subModel: new MockModel({ modelId: 'sub', replies: () => 'plain sub' }), subModels: { careful }, sandbox, maxDepth: 2 });
      const result = await rlm.query({ context: 'ctx', question: 'Delegate.' });
      expect(result.status, result.statusDetail).toBe('completed');
      const [answer, refused] = result.answerValue as [string, string];
      expect(answer).toBe('answered by careful');
      expect(refused).toContain('model="gpt-3.5-turbo" is not a');
      const child = result.trajectory.steps[0]!.subcalls.find((call) => call.child !== undefined)!.child!;
      expect(child.model).toBe('mock:careful-model');
    });

    it('maxConsecutiveErrors: iterations that keep failing stop the run with a closing call, reported in limitsReached', async () => {
      const model = new MockModel({
        modelId: 'root',
        replies: ({ prompt }) => (prompt.startsWith('The run must stop now') ? 'FINAL(gave up)' : '```repl\nraise ValueError("still broken")\n```'),
      });
      const rlm = createRLM({ model, sandbox, maxIterations: 30, maxConsecutiveErrors: 3 });
      const result = await rlm.query({ context: 'ctx', question: 'Try.' });
      expect(result.status).toBe('budget_exhausted');
      expect(result.iterations).toBe(3);
      expect(result.statusDetail).toContain('maxConsecutiveErrors (3)');
      expect(result.answer).toBe('gave up');
      expect(result.limitsReached).toEqual([expect.objectContaining({ setting: 'maxConsecutiveErrors', limit: 3 })]);
    });

    it('a success resets the count of consecutive failures', async () => {
      const script = ['raise ValueError("a")', 'raise ValueError("b")', 'x = 1', 'raise ValueError("c")', 'raise ValueError("d")', 'FINAL(x)'];
      const model = new MockModel({ modelId: 'root', replies: script.map((code) => `\`\`\`repl\n${code}\n\`\`\``) });
      const result = await createRLM({ model, sandbox, maxConsecutiveErrors: 3 }).query({ context: 'ctx', question: 'Try.' });
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('1');
    });
  });
}
