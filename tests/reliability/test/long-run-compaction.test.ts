/**
 * Long runs never overflow (issue 20, point 10): the root conversation is compacted near the root
 * model's window, or when the provider refuses it as too long; the run completes and the messages
 * that left the conversation stay in the REPL as `history`. Through createRLM + MockModel, on the
 * local and Pyodide sandboxes.
 */
import { describe, expect, it } from 'vitest';
import { ModelProviderError, createRLM, describeRLMEvent, type ChatMessage, type CompactionEvent } from '@rlms/core';
import { MockModel, type MockCall } from '@rlms/core/testing';
import { inProcessSandboxes } from '../src/in-process-sandboxes.ts';

const WINDOW = 4_000;
const TURNS = 40;
const SANDBOXES = inProcessSandboxes();

const tokensOf = (messages: readonly ChatMessage[]) => messages.reduce((sum, message) => sum + Math.ceil(Buffer.byteLength(message.content) / 4), 0);

/**
 * A root model that writes 40 turns of ~1,500 characters of output each, then answers with what the
 * REPL kept; it answers compaction requests with a summary, and never accepts a prompt past WINDOW.
 */
function longRunModel(options: { declaresWindow: boolean }) {
  let turn = 0;
  const largest = { tokens: 0 };
  const model = new MockModel({
    modelId: 'long-root',
    ...(options.declaresWindow ? { contextWindowTokens: WINDOW } : {}),
    replies: (call: MockCall) => {
      const tokens = tokensOf(call.messages);
      largest.tokens = Math.max(largest.tokens, tokens);
      if (tokens > WINDOW) {
        return new ModelProviderError(`This model's maximum context length is ${WINDOW} tokens, but your messages resulted in ${tokens} tokens.`, {
          provider: 'mock',
          modelId: 'long-root',
          statusCode: 400,
          code: 'context-length',
        });
      }
      if (call.prompt.startsWith('The conversation is about to be compacted')) return `Progress: ${turn} turns done; turn_N variables hold each turn's number.`;
      turn++;
      if (turn <= TURNS) return `Turn ${turn}.\n\`\`\`repl\nturn_${turn} = ${turn}\nprint("${'x'.repeat(1_500)}")\n\`\`\``;
      return '```repl\nFINAL({"turns": sum(1 for n in range(1, 41) if f"turn_{n}" in globals()), "history": len(history), "roles": sorted(set(m["role"] for m in history))})\n```';
    },
  });
  return { model, largest };
}

for (const kind of SANDBOXES) {
  describe(`${kind.name}: a long run stays inside a 4,000-token window`, { timeout: 300_000 }, () => {
    const sandbox = kind.sandbox();

    for (const declaresWindow of [true, false]) {
      it(
        declaresWindow
          ? 'with the window known: compacts before it is reached, completes, history holds the turns that left the conversation'
          : 'without a window: the provider\'s context-length error triggers compaction, and the run still completes',
        async () => {
          const { model, largest } = longRunModel({ declaresWindow });
          const rlm = createRLM({ model, sandbox, maxIterations: TURNS + 5, maxOutputChars: 2_000 });
          const announced: CompactionEvent[] = [];
          const result = await rlm.query({
            context: 'a long job',
            question: 'Do 40 turns of work, then report.',
            onEvent: (event) => {
              if (event.type === 'compaction') announced.push(event);
            },
          });
          expect(result.status, result.statusDetail).toBe('completed');
          const answer = result.answerValue as { turns: number; history: number; roles: string[] };
          expect(answer.turns).toBe(TURNS);
          const compactions = result.trajectory.steps.filter((step) => step.kind === 'compaction');
          expect(compactions.length).toBeGreaterThan(1);
          // Every message that left the conversation is in `history`: 2 per turn up to the last compaction.
          const lastCompactionIteration = compactions.at(-1)!.iteration;
          expect(answer.history).toBe(2 * (lastCompactionIteration - 1));
          expect(answer.roles).toEqual(['assistant', 'user']);
          // Each compaction was announced before its summary call, numbered, with why it happened.
          expect(announced.map((event) => [event.iteration, event.compaction])).toEqual(compactions.map((step, index) => [step.iteration, index + 1]));
          if (declaresWindow) expect(announced.every((event) => event.trigger === 'window')).toBe(true);
          else expect(announced.some((event) => event.trigger === 'context-length')).toBe(true);
          expect(describeRLMEvent(announced[0]!)).toMatch(/^Iteration \d+: compacting the conversation \(\d+ messages, about [\d,]+ tokens\) because /);
          if (declaresWindow) expect(largest.tokens).toBeLessThanOrEqual(WINDOW);
          else expect(result.trajectory.steps.some((step) => step.kind === 'compaction' && step.observation.feedback.includes('refused the conversation as too long'))).toBe(true);
        },
      );
    }
  });
}
