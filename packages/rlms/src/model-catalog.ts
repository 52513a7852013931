import { findPricing, type ModelPricing, type PricingTable } from '@rlms/core';
import { defaultImporter, type ModuleImporter } from './import-optional.js';

/** What is known about a model before calling it. */
export interface ModelFacts {
  /** Context window in tokens, when known. */
  readonly contextWindowTokens?: number;
  /** List price, when known. */
  readonly pricing?: ModelPricing;
}

interface OpenAICatalog {
  openAIContextWindow?: (modelId: string) => number | undefined;
  openAIPricing?: (modelId: string) => ModelPricing | undefined;
}

let catalog: Promise<OpenAICatalog> | undefined;

/** OpenAI model ids are looked up in `@rlms/openai`'s tables; other providers' names (`anthropic:…`) are not. */
function openAIId(modelRef: string): string | undefined {
  if (modelRef.startsWith('openai:')) return modelRef.slice('openai:'.length);
  return modelRef.includes(':') ? undefined : modelRef;
}

/**
 * Context window and price of a model name (`'gpt-4o'`, `'openai:gpt-5'`, `'anthropic:…'`):
 * `pricing` (by model id, prefix match) first, then the OpenAI tables shipped in `@rlms/openai`.
 * Unknown models get `{}`.
 */
export async function lookupModelFacts(
  modelRef: string,
  options: { readonly pricing?: PricingTable; readonly importer?: ModuleImporter } = {},
): Promise<ModelFacts> {
  const id = openAIId(modelRef);
  const own = findPricing(options.pricing, modelRef) ?? (id === undefined ? undefined : findPricing(options.pricing, id));
  let tables: OpenAICatalog = {};
  if (id !== undefined) {
    const importer = options.importer ?? defaultImporter;
    const load = (): Promise<OpenAICatalog> =>
      importer('@rlms/openai').then(
        (module) => module as OpenAICatalog,
        () => ({}),
      );
    tables = await (options.importer === undefined ? (catalog ??= load()) : load());
  }
  const window = id === undefined ? undefined : tables.openAIContextWindow?.(id);
  const pricing = own ?? (id === undefined ? undefined : tables.openAIPricing?.(id));
  return {
    ...(window === undefined ? {} : { contextWindowTokens: window }),
    ...(pricing === undefined ? {} : { pricing }),
  };
}
