import { ConfigurationError, createFileCache, type PromptStyle } from '@rlms/core';
import type { QueryMode } from '../choose-mode.js';
import { MissingApiKeyError } from '../model-spec.js';
import { RecursiveLanguageModel } from '../recursive-language-model.js';
import type { RecursiveLanguageModelSettings } from '../recursive-language-model-settings.js';
import { planSandbox, type SandboxName } from '../sandbox-spec.js';
import { parseDuration, parseInteger, parseNumber } from './flag-values.js';
import { sandboxOptionsFrom } from './sandbox-options.js';
import { UsageError } from './usage-error.js';

/** The flags that choose the model, sandbox and budgets: shared by `rlms ask` and `rlms serve`. */
export const MODEL_FLAGS = {
  model: { type: 'string', short: 'm' },
  'sub-model': { type: 'string' },
  sandbox: { type: 'string' },
  'sandbox-option': { type: 'string', multiple: true },
  'sandbox-config': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  'context-window': { type: 'string' },
  mode: { type: 'string' },
  'prompt-style': { type: 'string' },
  cache: { type: 'string' },
  'max-depth': { type: 'string' },
  'max-iterations': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** Parsed values of `MODEL_FLAGS` (others may be present). */
export type ModelFlagValues = { readonly [K in keyof typeof MODEL_FLAGS]?: string | boolean | (string | boolean)[] | undefined };

function text(values: ModelFlagValues, name: keyof typeof MODEL_FLAGS): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Builds facade settings from the model flags, checking only what the user typed: malformed values
 * throw `UsageError` (naming `command`), an unknown sandbox `ConfigurationError` (`'unknown-sandbox'`).
 * Of the environment only `RLMS_SANDBOX_OPTIONS` is read here (sandbox settings; see
 * `sandboxOptionsFrom`): the API key is looked up by {@link createFacade}, so a mistake in the
 * command line is reported before a missing key.
 */
export function settingsFromFlags(
  values: ModelFlagValues,
  command: string,
  env: Readonly<Record<string, string | undefined>> = {},
): RecursiveLanguageModelSettings {
  const mode = text(values, 'mode') as QueryMode | undefined;
  if (mode !== undefined && !['auto', 'rlm', 'direct'].includes(mode)) throw new UsageError(`--mode must be auto, rlm or direct; got "${mode}".`, command);
  const promptStyle = text(values, 'prompt-style') as PromptStyle | undefined;
  if (promptStyle !== undefined && promptStyle !== 'default' && promptStyle !== 'paper') {
    throw new UsageError(`--prompt-style must be default or paper; got "${promptStyle}".`, command);
  }
  const baseURL = text(values, 'base-url');
  const subModel = text(values, 'sub-model');
  const cache = text(values, 'cache');
  const contextWindow = parseInteger('context-window', text(values, 'context-window'), command);
  const maxDepth = parseInteger('max-depth', text(values, 'max-depth'), command);
  const maxIterations = parseInteger('max-iterations', text(values, 'max-iterations'), command);
  const maxTotalTokens = parseInteger('max-tokens', text(values, 'max-tokens'), command);
  const maxCostUsd = parseNumber('max-cost', text(values, 'max-cost'), command);
  const timeoutMs = parseDuration('timeout', text(values, 'timeout'), command);
  const sandbox = planSandbox((text(values, 'sandbox') ?? 'pyodide') as SandboxName).name as SandboxName;
  const sandboxSettings = sandboxOptionsFrom(values, env, command, sandbox);
  return {
    model: text(values, 'model') ?? 'gpt-4o',
    ...(subModel === undefined ? {} : { subModel }),
    sandbox,
    ...(sandboxSettings === undefined ? {} : { sandboxSettings }),
    ...(baseURL === undefined ? {} : { baseURL }),
    ...(contextWindow === undefined ? {} : { contextWindowTokens: contextWindow }),
    ...(mode === undefined ? {} : { mode }),
    ...(promptStyle === undefined ? {} : { promptStyle }),
    ...(cache === undefined ? {} : { cache: createFileCache(cache) }),
    ...(maxDepth === undefined ? {} : { maxDepth }),
    ...(maxIterations === undefined ? {} : { maxIterations }),
    ...(maxTotalTokens === undefined ? {} : { maxTotalTokens }),
    ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

/** One sentence for a missing key: what to set. */
function missingKeySentence(error: MissingApiKeyError): string {
  const local = error.envVar === 'OPENAI_API_KEY' ? ', or point --base-url at a local OpenAI-compatible server' : '';
  return `No ${error.providerName} API key: set the ${error.envVar} environment variable (or name another variable with --api-key-env)${local}.`;
}

/**
 * Creates the facade from checked settings, with the API key of `--api-key-env` when given. Throws
 * `ConfigurationError` (`'missing-api-key'`) in one sentence saying what to set when the key is missing.
 */
export function createFacade(settings: RecursiveLanguageModelSettings, values: ModelFlagValues, env: Readonly<Record<string, string | undefined>>): RecursiveLanguageModel {
  const keyEnv = text(values, 'api-key-env');
  let apiKey: string | undefined;
  if (keyEnv !== undefined) {
    apiKey = env[keyEnv];
    if (apiKey === undefined || apiKey === '') {
      throw new ConfigurationError(`The environment variable ${keyEnv} (from --api-key-env) is not set: set it to the API key, or drop --api-key-env.`, { code: 'missing-api-key' });
    }
  }
  try {
    return new RecursiveLanguageModel(apiKey === undefined ? settings : { ...settings, apiKey });
  } catch (error) {
    if (MissingApiKeyError.isInstance(error)) throw new ConfigurationError(missingKeySentence(error), { code: 'missing-api-key' });
    throw error;
  }
}
