import type { ModelProviderV1 } from '@rlms/core';
import { importOptional, type ModuleImporter } from './import-optional.js';
import { MissingPackageError } from './missing-package-error.js';
import type { ModelPlan, OpenAIPlanSettings } from './model-spec.js';

type CreateOpenAIProvider = (settings: OpenAIPlanSettings) => ModelProviderV1;
type FromAISDK = (model: unknown, options?: { contextWindowTokens?: number }) => ModelProviderV1;
type AiSdkProviderFactory = (settings?: Record<string, unknown>) => (modelId: string) => unknown;

/**
 * Creates the provider a plan describes, importing its package on first use. Throws
 * `MissingPackageError` listing every package to install when some are missing.
 */
export async function loadModel(plan: ModelPlan, importer?: ModuleImporter): Promise<ModelProviderV1> {
  const purpose = `The model "${plan.label}"`;
  switch (plan.kind) {
    case 'instance':
      return plan.model;
    case 'openai': {
      const create = await importOptional<CreateOpenAIProvider>({
        specifier: '@rlms/openai',
        exportName: 'createOpenAIProvider',
        purpose,
        ...(importer === undefined ? {} : { importer }),
      });
      return create(plan.settings);
    }
    case 'ai-sdk': {
      const missing: string[] = [];
      const attempt = async <T>(specifier: string, exportName: string, installPackages: readonly string[]): Promise<T | undefined> => {
        try {
          return await importOptional<T>({ specifier, exportName, purpose, installPackages, ...(importer === undefined ? {} : { importer }) });
        } catch (error) {
          if (!MissingPackageError.isInstance(error)) throw error;
          missing.push(...error.packages);
          return undefined;
        }
      };
      const fromAISDK = await attempt<FromAISDK>('@rlms/ai-sdk', 'fromAISDK', ['@rlms/ai-sdk', 'ai']);
      const factory = await attempt<AiSdkProviderFactory>(plan.provider.packageName, plan.provider.factory, [plan.provider.packageName]);
      if (fromAISDK === undefined || factory === undefined) throw new MissingPackageError(purpose, [...new Set(missing)]);
      const languageModel = factory({ ...plan.factorySettings })(plan.modelId);
      return fromAISDK(languageModel, plan.contextWindowTokens === undefined ? {} : { contextWindowTokens: plan.contextWindowTokens });
    }
  }
}
