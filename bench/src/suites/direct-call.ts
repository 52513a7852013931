import { computeCostUsd, estimateTokens, findPricing, type ModelProviderV1, type PricingTable, type TokenUsage } from '@rlms/core';
import { preciseNow } from '../util/intervals.js';
import type { SuiteTask } from './suite-types.js';

/** System prompt of the direct (vanilla) call: the whole context in the prompt. */
export const DIRECT_SYSTEM_PROMPT = 'You answer questions about the document given by the user. Follow the answer format the question asks for. Reply with the answer only.';

/** The user message of a direct call. */
export function directPrompt(task: SuiteTask): string {
  return `${task.contextText}\n\n---\nQuestion: ${task.question}`;
}

/** Estimated tokens of a direct call's prompt (UTF-8 bytes / 4). */
export function directPromptTokens(task: SuiteTask): number {
  return estimateTokens(DIRECT_SYSTEM_PROMPT) + estimateTokens(directPrompt(task));
}

/** Outcome of one direct call. */
export interface DirectOutcome {
  readonly answer: string;
  readonly usage: TokenUsage;
  readonly costUsd: number | undefined;
  readonly wallMs: number;
  readonly error?: string;
}

/** One plain model call with the whole context in the prompt. Never throws: failures are in `error`. */
export async function runDirectCall(model: ModelProviderV1, task: SuiteTask, pricing?: PricingTable): Promise<DirectOutcome> {
  const start = preciseNow();
  try {
    const response = await model.generate({
      messages: [
        { role: 'system', content: DIRECT_SYSTEM_PROMPT },
        { role: 'user', content: directPrompt(task) },
      ],
    });
    return {
      answer: response.text,
      usage: response.usage,
      costUsd: response.costUsd ?? computeCostUsd(response.usage, findPricing(pricing, model.modelId)),
      wallMs: preciseNow() - start,
    };
  } catch (error) {
    return { answer: '', usage: {}, costUsd: undefined, wallMs: preciseNow() - start, error: error instanceof Error ? error.message : String(error) };
  }
}

