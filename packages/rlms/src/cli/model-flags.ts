import { ConfigurationError, createFileCache, type PromptStyle } from '@rlms/core';
import type { QueryMode } from '../choose-mode.js';
import { MissingApiKeyError } from '../model-spec.js';
import { RecursiveLanguageModel } from '../recursive-language-model.js';
import type { RecursiveLanguageModelSettings } from '../recursive-language-model-settings.js';
import type { SandboxName } from '../sandbox-spec.js';
import { parseDuration, parseInteger, parseNumber, UsageError } from './usage-error.js';

/** The flags that choose the model, sandbox and budgets: shared by `rlms ask` and `rlms serve`. */
export const MODEL_FLAGS = {
  model: { type: 'string', short: 'm' },
  'sub-model': { type: 'string' },
  sandbox: { type: 'string' },
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

/** Builds facade settings from the model flags. Throws `UsageError` for malformed values (naming `command`). */
export function settingsFromFlags(values: ModelFlagValues, env: Readonly<Record<string, string | undefined>>, command: string): RecursiveLanguageModelSettings {
  const mode = text(values, 'mode') as QueryMode | undefined;
  if (mode !== undefined && !['auto', 'rlm', 'direct'].includes(mode)) throw new UsageError(`--mode must be auto, rlm or direct; got "${mode}".`, command);
  const promptStyle = text(values, 'prompt-style') as PromptStyle | undefined;
  if (promptStyle !== undefined && promptStyle !== 'default' && promptStyle !== 'paper') {
    throw new UsageError(`--prompt-style must be default or paper; got "${promptStyle}".`, command);
  }
  let apiKey: string | undefined;
  const keyEnv = text(values, 'api-key-env');
  if (keyEnv !== undefined) {
    apiKey = env[keyEnv];
    if (apiKey === undefined || apiKey === '') throw new ConfigurationError(`The environment variable ${keyEnv} (from --api-key-env) is not set.`, { code: 'missing-api-key' });
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
  return {
    model: text(values, 'model') ?? 'gpt-4o',
    ...(subModel === undefined ? {} : { subModel }),
    sandbox: (text(values, 'sandbox') ?? 'pyodide') as SandboxName,
    ...(baseURL === undefined ? {} : { baseURL }),
    ...(apiKey === undefined ? {} : { apiKey }),
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

/** Creates the facade, turning a missing key into one clear sentence. */
export function createFacade(settings: RecursiveLanguageModelSettings): RecursiveLanguageModel {
  try {
    return new RecursiveLanguageModel(settings);
  } catch (error) {
    if (MissingApiKeyError.isInstance(error)) throw new ConfigurationError(missingKeySentence(error), { code: 'missing-api-key' });
    throw error;
  }
}
