import { MockModel } from '@rlms/core/testing';
import type { Suite, SuiteTask } from './suite-types.js';
import { DIRECT_SYSTEM_PROMPT, directPrompt } from './direct-call.js';

/** Options of {@link createOracleModel}. */
export interface OracleModelOptions {
  /** Context window the oracle claims, in tokens (decides which sizes get a direct call). Default 128 000. */
  readonly contextWindowTokens?: number;
}

/**
 * A scripted model that "solves" a suite's generated tasks: as the RLM root it writes the suite's
 * oracle code for the task it recognises by its question; as a sub-model it answers the oracle's
 * sub-call prompts; as a direct model it answers with the ground truth. It proves the harness and
 * scorers end to end offline; its accuracy says nothing about any real model.
 */
export function createOracleModel(suite: Suite, tasks: readonly SuiteTask[], options: OracleModelOptions = {}): MockModel {
  const find = (text: string): SuiteTask | undefined => tasks.find((task) => text.includes(task.question));
  return new MockModel({
    modelId: `oracle-${suite.id}`,
    provider: 'oracle',
    contextWindowTokens: options.contextWindowTokens ?? 128_000,
    replies: (call) => {
      if (call.system === DIRECT_SYSTEM_PROMPT) {
        // Several tasks can share a question: match the whole prompt (context included).
        const task = tasks.find((candidate) => call.prompt === directPrompt(candidate));
        return task === undefined ? 'unknown' : suite.answerText(task);
      }
      if (call.system !== undefined) {
        // The oracle code depends only on the question, so any task with this question will do.
        const task = find(call.messages.map((message) => message.content).join('\n'));
        if (task === undefined) return 'I cannot tell which task this is.\n```repl\nFINAL("unknown")\n```';
        return `\`\`\`repl\n${suite.oracleCode(task)}\n\`\`\``;
      }
      return suite.oracleSubcall?.(call.prompt) ?? 'unknown';
    },
  });
}
