import { ConfigurationError, createRLM, type ModelProviderV1, type RLMSettings, type SandboxProviderV1 } from '@rlms/core';
import type { RecursiveLanguageModelSettings } from './recursive-language-model-settings.js';

/** The settings of `createRLM` that the facade passes through. */
export type EngineSettings = Omit<RLMSettings, 'model' | 'subModel' | 'subModels' | 'sandbox'>;

/** The settings `createRLM` takes, without the facade's own. */
export function engineSettingsOf(settings: RecursiveLanguageModelSettings): EngineSettings {
  const {
    model: _model,
    subModel: _subModel,
    subModels: _subModels,
    sandbox: _sandbox,
    sandboxSettings: _sandboxSettings,
    apiKey: _apiKey,
    baseURL: _baseURL,
    contextWindowTokens: _window,
    mode: _mode,
    directMaxFraction: _fraction,
    verbose: _verbose,
    importModule: _importModule,
    ...engine
  } = settings;
  return engine;
}

const PLACEHOLDER_MODEL: ModelProviderV1 = {
  specificationVersion: 'rlms-model-v1',
  provider: 'placeholder',
  modelId: 'placeholder',
  generate: () => Promise.reject(new Error('placeholder model')),
};
/**
 * The sandbox of the facade's direct-run engine, and of the settings check: a direct run opens no
 * session, so nothing loads or starts. Opening one anyway is a bug, reported as such.
 */
export const NO_SANDBOX: SandboxProviderV1 = {
  specificationVersion: 'rlms-sandbox-v1',
  name: 'none',
  capabilities: { isolation: 'none', network: false, nativePackages: false, subprocess: false, interrupt: false, threads: false },
  createSession: () => Promise.reject(new ConfigurationError('This engine runs direct queries only (mode "direct"): it has no sandbox for an RLM run.', { code: 'invalid-sandbox' })),
};

/** Checks the engine settings (limits, tools) up front: `createRLM` does no I/O and throws `ConfigurationError` for bad values. */
export function validateEngineSettings(settings: RecursiveLanguageModelSettings): void {
  createRLM({ ...engineSettingsOf(settings), model: PLACEHOLDER_MODEL, sandbox: NO_SANDBOX });
}
