import type { ModelPricing, PricingTable } from '@rlms/core/spec';

/**
 * OpenAI list prices (standard tier, text tokens) in US dollars per million tokens, by model id,
 * as published on https://developers.openai.com/api/docs/pricing. Models without a cached price
 * are billed at the full input price for cached tokens. Override with the `pricing` setting.
 */
export const OPENAI_PRICES: PricingTable = {
  'gpt-5.4': { inputPerMillion: 2.5, cachedInputPerMillion: 0.25, outputPerMillion: 15 },
  'gpt-5.4-mini': { inputPerMillion: 0.75, cachedInputPerMillion: 0.075, outputPerMillion: 4.5 },
  'gpt-5.2': { inputPerMillion: 1.75, cachedInputPerMillion: 0.175, outputPerMillion: 14 },
  'gpt-5.1': { inputPerMillion: 1.25, cachedInputPerMillion: 0.125, outputPerMillion: 10 },
  'gpt-5': { inputPerMillion: 1.25, cachedInputPerMillion: 0.125, outputPerMillion: 10 },
  'gpt-5-chat-latest': { inputPerMillion: 1.25, cachedInputPerMillion: 0.125, outputPerMillion: 10 },
  'gpt-5-mini': { inputPerMillion: 0.25, cachedInputPerMillion: 0.025, outputPerMillion: 2 },
  'gpt-5-nano': { inputPerMillion: 0.05, cachedInputPerMillion: 0.005, outputPerMillion: 0.4 },
  'gpt-5-pro': { inputPerMillion: 15, outputPerMillion: 120 },
  'gpt-4.1': { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, cachedInputPerMillion: 0.1, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, cachedInputPerMillion: 0.025, outputPerMillion: 0.4 },
  'gpt-4o': { inputPerMillion: 2.5, cachedInputPerMillion: 1.25, outputPerMillion: 10 },
  'gpt-4o-2024-05-13': { inputPerMillion: 5, outputPerMillion: 15 },
  'gpt-4o-mini': { inputPerMillion: 0.15, cachedInputPerMillion: 0.075, outputPerMillion: 0.6 },
  o1: { inputPerMillion: 15, cachedInputPerMillion: 7.5, outputPerMillion: 60 },
  'o1-mini': { inputPerMillion: 1.1, cachedInputPerMillion: 0.55, outputPerMillion: 4.4 },
  'o1-pro': { inputPerMillion: 150, outputPerMillion: 600 },
  o3: { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
  'o3-mini': { inputPerMillion: 1.1, cachedInputPerMillion: 0.55, outputPerMillion: 4.4 },
  'o3-pro': { inputPerMillion: 20, outputPerMillion: 80 },
  'o4-mini': { inputPerMillion: 1.1, cachedInputPerMillion: 0.275, outputPerMillion: 4.4 },
  'gpt-4-turbo': { inputPerMillion: 10, outputPerMillion: 30 },
  'gpt-4': { inputPerMillion: 30, outputPerMillion: 60 },
  'gpt-3.5-turbo': { inputPerMillion: 0.5, outputPerMillion: 1.5 },
};

/**
 * Looks a model id up in a table: the exact id first, then the id without a dated snapshot
 * suffix (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`). No fuzzy matching: an unknown id gives
 * `undefined`, never another model's price.
 */
export function lookupByModelId<T>(table: Readonly<Record<string, T>>, modelId: string): T | undefined {
  const id = modelId.toLowerCase();
  if (Object.hasOwn(table, id)) return table[id];
  const undated = id.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  if (undated !== id && Object.hasOwn(table, undated)) return table[undated];
  return undefined;
}

/** Built-in price of an OpenAI model id, or `undefined` when unknown. */
export function openAIPricing(modelId: string): ModelPricing | undefined {
  return lookupByModelId(OPENAI_PRICES, modelId);
}
