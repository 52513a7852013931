import { ConfigurationError, resolveRLM, type ModelProviderV1, type RLM, type RLMSettings, type SandboxProviderV1 } from '@rlms/core';
import { Settings } from '@llamaindex/core/global';
import type { LLM } from '@llamaindex/core/llms';
import { defaultSandbox, type SandboxPackageLoader } from './default-sandbox.js';
import { fromLlamaIndex } from './llama-index-model-provider.js';

/**
 * `RLMSettings` as `RLMQueryEngine` takes them: `model` defaults to LlamaIndex's `Settings.llm`
 * (through `fromLlamaIndex`), `sandbox` to Pyodide (`@rlms/sandbox-pyodide`, when installed).
 */
export interface RLMQueryEngineRLMSettings extends Omit<RLMSettings, 'model' | 'sandbox'> {
  /** The root model. Default: `fromLlamaIndex(Settings.llm)`, read when the engine is created. */
  readonly model?: ModelProviderV1;
  /** Where the model's code runs. Default: `createPyodideSandbox()` from `@rlms/sandbox-pyodide`, loaded at the first query. */
  readonly sandbox?: SandboxProviderV1;
}

/** Where an engine gets its RLM: a ready one, or the settings to create one (both optional). */
export interface RLMQueryEngineRLMSource {
  /** An RLM from `createRLM(settings)`, e.g. shared by several engines. */
  readonly rlm?: RLM;
  /** Settings for `createRLM`; omitted fields take the LlamaIndex defaults (see {@link RLMQueryEngineRLMSettings}). */
  readonly settings?: RLMQueryEngineRLMSettings;
}

const EXAMPLE = "{ model: fromLlamaIndex(new OpenAI({ model: 'gpt-4o-mini' })), sandbox: createLocalSandbox() }";

/** `fromLlamaIndex(Settings.llm)`. @throws ConfigurationError when `Settings.llm` is not set. */
function modelFromSettings(where: string): ModelProviderV1 {
  let llm: LLM;
  try {
    llm = Settings.llm;
  } catch (error) {
    throw new ConfigurationError(
      `${where}: no model given and LlamaIndex's \`Settings.llm\` is not set. Set it once (\`Settings.llm = new OpenAI({ model: 'gpt-4o-mini' })\` ` +
        "with OpenAI from @llamaindex/openai, or any LlamaIndex LLM), or pass settings: { model: fromLlamaIndex(llm) }.",
      { code: 'missing-setting', cause: error },
    );
  }
  return fromLlamaIndex(llm);
}

/**
 * The RLM of an engine: `rlm` as given, or one created from `settings` with LlamaIndex's defaults
 * filled in (`Settings.llm` as the model, Pyodide as the sandbox). Does no I/O.
 * @throws ConfigurationError when both `rlm` and `settings` are given, when no model is given and
 *   `Settings.llm` is not set, when no sandbox is given and `@rlms/sandbox-pyodide` is not installed
 *   (`code: 'missing-sandbox'`), or when the settings are invalid.
 */
export function resolveEngineRLM(source: RLMQueryEngineRLMSource, where: string, loader?: SandboxPackageLoader): RLM {
  const options = { where, example: EXAMPLE, methods: ['query', 'stream'] as const };
  if (source.rlm !== undefined) return resolveRLM({ rlm: source.rlm, ...(source.settings === undefined ? {} : { settings: source.settings as RLMSettings }) }, options);
  const settings = source.settings ?? {};
  if (typeof settings !== 'object' || settings === null) {
    throw new ConfigurationError(`${where}: \`settings\` must be an object (RLMSettings), e.g. { settings: ${EXAMPLE} }.`, { code: 'invalid-setting' });
  }
  const model = settings.model ?? modelFromSettings(where);
  const sandbox = settings.sandbox ?? defaultSandbox(where, loader);
  return resolveRLM({ settings: { ...settings, model, sandbox } }, options);
}
