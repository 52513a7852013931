import { lookupByModelId } from './openai-prices.js';

/** Context windows (input + output tokens) of common OpenAI models, by model id. */
export const OPENAI_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-5.2': 400_000,
  'gpt-5.1': 400_000,
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-5-pro': 400_000,
  'gpt-5-chat-latest': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  o1: 200_000,
  'o1-mini': 128_000,
  'o1-pro': 200_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o3-pro': 200_000,
  'o4-mini': 200_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 16_385,
};

/** Known context window of an OpenAI model id, or `undefined`. */
export function openAIContextWindow(modelId: string): number | undefined {
  return lookupByModelId(OPENAI_CONTEXT_WINDOWS, modelId);
}
