import { ConfigurationError, type ModelProviderV1 } from '@rlms/core';

/** A model given with its own connection settings. */
export interface ModelOptions {
  /**
   * The model: an OpenAI name (`'gpt-4o'`), `'provider:model'` (`'anthropic:claude-sonnet-4-5'`), or,
   * with `baseURL`, the model id as the OpenAI-compatible server knows it (`'mit-oasys/rlm-qwen3-8b-v0.1'`).
   */
  readonly model: string;
  /** Base URL of an OpenAI-compatible server, ending in `/v1` (vLLM, SGLang, Ollama, llama.cpp, LM Studio…). */
  readonly baseURL?: string;
  /** API key for this model's provider. */
  readonly apiKey?: string;
  /** Context window in tokens, when the provider does not know it. */
  readonly contextWindowTokens?: number;
  /** Extra settings for the provider factory (`createOpenAIProvider`'s settings, or the AI SDK provider's). */
  readonly providerSettings?: Readonly<Record<string, unknown>>;
}

/**
 * How a model is named in `RecursiveLanguageModel` settings:
 * - an OpenAI model name: `'gpt-4o'`, `'gpt-5'`, `'o3'`, `'openai:gpt-4.1'` (needs `OPENAI_API_KEY` or `apiKey`);
 * - `'provider:model'` for other providers through the Vercel AI SDK: `'anthropic:claude-sonnet-4-5'`,
 *   `'google:gemini-2.5-pro'`, `'mistral:…'`, `'xai:…'`, `'groq:…'`, `'deepseek:…'`, `'amazon-bedrock:…'`,
 *   `'azure:…'`, `'togetherai:…'`, `'cohere:…'` (needs `@rlms/ai-sdk`, `ai` and the `@ai-sdk/<provider>` package);
 * - `'openai-compatible:<model>'` with `baseURL`, `'ollama:<model>'` (default base URL
 *   `http://127.0.0.1:11434/v1`), `'openrouter:<model>'` (`OPENROUTER_API_KEY`);
 * - any name when `baseURL` is set: the id on that OpenAI-compatible server;
 * - `{ model, baseURL?, apiKey?, … }` ({@link ModelOptions});
 * - a `ModelProviderV1` instance, used as is.
 */
export type ModelSpec = string | ModelOptions | ModelProviderV1;

/** An AI SDK provider package reachable with a `provider:` prefix. */
export interface AiSdkProviderInfo {
  readonly packageName: string;
  readonly factory: string;
  /** Environment variable the provider reads its key from; `undefined` when it uses other credentials. */
  readonly apiKeyEnv: string | undefined;
  readonly displayName: string;
}

/** `provider:` prefixes served through `@rlms/ai-sdk`. */
export const AI_SDK_PROVIDERS: Readonly<Record<string, AiSdkProviderInfo>> = {
  anthropic: { packageName: '@ai-sdk/anthropic', factory: 'createAnthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', displayName: 'Anthropic' },
  google: { packageName: '@ai-sdk/google', factory: 'createGoogleGenerativeAI', apiKeyEnv: 'GOOGLE_GENERATIVE_AI_API_KEY', displayName: 'Google' },
  mistral: { packageName: '@ai-sdk/mistral', factory: 'createMistral', apiKeyEnv: 'MISTRAL_API_KEY', displayName: 'Mistral' },
  xai: { packageName: '@ai-sdk/xai', factory: 'createXai', apiKeyEnv: 'XAI_API_KEY', displayName: 'xAI' },
  groq: { packageName: '@ai-sdk/groq', factory: 'createGroq', apiKeyEnv: 'GROQ_API_KEY', displayName: 'Groq' },
  deepseek: { packageName: '@ai-sdk/deepseek', factory: 'createDeepSeek', apiKeyEnv: 'DEEPSEEK_API_KEY', displayName: 'DeepSeek' },
  'amazon-bedrock': { packageName: '@ai-sdk/amazon-bedrock', factory: 'createAmazonBedrock', apiKeyEnv: undefined, displayName: 'Amazon Bedrock' },
  azure: { packageName: '@ai-sdk/azure', factory: 'createAzure', apiKeyEnv: 'AZURE_API_KEY', displayName: 'Azure OpenAI' },
  togetherai: { packageName: '@ai-sdk/togetherai', factory: 'createTogetherAI', apiKeyEnv: 'TOGETHER_AI_API_KEY', displayName: 'Together AI' },
  cohere: { packageName: '@ai-sdk/cohere', factory: 'createCohere', apiKeyEnv: 'COHERE_API_KEY', displayName: 'Cohere' },
};

/** OpenAI-compatible services reachable with a `provider:` prefix through `@rlms/openai`. */
const OPENAI_COMPATIBLE_PRESETS: Readonly<Record<string, { baseURL?: string; apiKeyEnv?: string; displayName: string }>> = {
  'openai-compatible': { displayName: 'OpenAI-compatible server' },
  ollama: { baseURL: 'http://127.0.0.1:11434/v1', displayName: 'Ollama' },
  openrouter: { baseURL: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY', displayName: 'OpenRouter' },
};

/** Settings of `createOpenAIProvider` that the facade fills in. */
export interface OpenAIPlanSettings {
  readonly model: string;
  readonly apiKey?: string;
  readonly baseURL?: string;
  readonly name?: string;
  readonly contextWindowTokens?: number;
  readonly [extra: string]: unknown;
}

/** What a model spec resolves to, before any package is loaded. */
export type ModelPlan =
  | { readonly kind: 'instance'; readonly label: string; readonly modelRef: string; readonly model: ModelProviderV1 }
  | { readonly kind: 'openai'; readonly label: string; readonly modelRef: string; readonly settings: OpenAIPlanSettings }
  | {
      readonly kind: 'ai-sdk';
      readonly label: string;
      readonly modelRef: string;
      readonly provider: AiSdkProviderInfo;
      readonly modelId: string;
      readonly factorySettings: Readonly<Record<string, unknown>>;
      readonly contextWindowTokens?: number;
    };

/** Defaults a spec inherits from the facade settings. */
export interface ModelPlanDefaults {
  /** Key for this model when the spec has none (the facade passes its `apiKey` to models of the root model's provider). */
  readonly apiKey?: string;
  readonly baseURL?: string;
  readonly contextWindowTokens?: number;
  /** Which setting names the spec, for messages: `'model'`, `'subModel'`, `'subModels.fast'`. */
  readonly setting: string;
  /** Environment to read keys from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const OPENAI_NAME = /^(gpt-|chatgpt-|o\d(-|$)|codex-|ft:|davinci|babbage|text-)/i;

/** True for a `ModelProviderV1` instance. */
export function isModelProvider(value: unknown): value is ModelProviderV1 {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as ModelProviderV1).specificationVersion === 'rlms-model-v1' &&
    typeof (value as ModelProviderV1).generate === 'function'
  );
}

function fail(message: string, code = 'unknown-model'): never {
  throw new ConfigurationError(message, { code });
}

/** No API key for a model: `envVar` names the environment variable to set (code `'missing-api-key'`). */
export class MissingApiKeyError extends ConfigurationError {
  /** The environment variable the key is read from by default, e.g. `'OPENAI_API_KEY'`. */
  readonly envVar: string;
  /** The provider's display name, e.g. `'OpenAI'`. */
  readonly providerName: string;

  constructor(message: string, options: { envVar: string; providerName: string }) {
    super(message, { code: 'missing-api-key' });
    // `name` stays 'ConfigurationError' so `ConfigurationError.isInstance` keeps matching; tell them apart by `code`.
    this.envVar = options.envVar;
    this.providerName = options.providerName;
  }

  static override isInstance(error: unknown): error is MissingApiKeyError {
    return ConfigurationError.isInstance(error) && (error as { code?: unknown }).code === 'missing-api-key';
  }
}

const KNOWN_PREFIXES = ['openai', ...Object.keys(OPENAI_COMPATIBLE_PRESETS), ...Object.keys(AI_SDK_PROVIDERS)];

function unknownModelMessage(name: string, setting: string): string {
  const lower = name.toLowerCase();
  let hint = '';
  if (lower.startsWith('claude')) hint = ` Did you mean "anthropic:${name}"?`;
  else if (lower.startsWith('gemini')) hint = ` Did you mean "google:${name}"?`;
  else if (lower.startsWith('grok')) hint = ` Did you mean "xai:${name}"?`;
  else if (lower.startsWith('mistral') || lower.startsWith('codestral')) hint = ` Did you mean "mistral:${name}"?`;
  else if (name.includes('/') || /qwen|llama|gemma|phi-|deepseek/i.test(name)) {
    hint = ` It looks like an open model: serve it with vLLM, SGLang, Ollama or llama.cpp and pass its \`baseURL\` (CLI: --base-url).`;
  }
  return `Unknown model "${name}" in \`${setting}\`.${hint} Use an OpenAI model name (gpt-4o, gpt-5, o3…), "provider:model" (${KNOWN_PREFIXES.filter((prefix) => prefix !== 'openai-compatible').join(', ')}), or a baseURL for an OpenAI-compatible server.`;
}

function positiveWindow(value: number | undefined, setting: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) fail(`\`${setting}.contextWindowTokens\` must be a positive integer; got ${String(value)}.`, 'invalid-setting');
  return value;
}

/**
 * The provider a model spec talks to, to decide which models share an API key: `'openai'` for
 * OpenAI names, the prefix of `provider:model` names (`'anthropic'`, `'ollama'`…),
 * `'base-url'` for names served by a base URL, `'instance'` for provider instances.
 */
export function providerFamily(spec: ModelSpec, baseURL?: string): string {
  if (isModelProvider(spec)) return 'instance';
  const options: Partial<ModelOptions> = typeof spec === 'string' ? { model: spec } : spec;
  const name = typeof options.model === 'string' ? options.model.trim() : '';
  const colon = name.indexOf(':');
  const prefix = colon > 0 ? name.slice(0, colon).toLowerCase() : undefined;
  if (prefix !== undefined && prefix !== 'ft' && KNOWN_PREFIXES.includes(prefix)) return prefix === 'bedrock' ? 'amazon-bedrock' : prefix;
  if ((options.baseURL ?? baseURL) !== undefined) return 'base-url';
  return 'openai';
}

/**
 * Resolves a model spec to a plan without loading anything. Throws `ConfigurationError` for an
 * unknown name (code `'unknown-model'`), an unknown `provider:` prefix, a missing base URL, or a
 * missing API key (code `'missing-api-key'`, naming the environment variable to set).
 */
export function planModel(spec: ModelSpec, defaults: ModelPlanDefaults): ModelPlan {
  const env = defaults.env ?? process.env;
  if (isModelProvider(spec)) {
    return { kind: 'instance', label: `${spec.provider}:${spec.modelId}`, modelRef: spec.provider === 'openai' ? spec.modelId : `${spec.provider}:${spec.modelId}`, model: spec };
  }
  const options: ModelOptions = typeof spec === 'string' ? { model: spec } : spec;
  if (typeof options !== 'object' || options === null || typeof options.model !== 'string' || options.model.trim() === '') {
    fail(`\`${defaults.setting}\` must be a model name ("gpt-4o", "anthropic:claude-sonnet-4-5"), { model, baseURL? }, or a ModelProviderV1 instance.`, 'invalid-model');
  }
  const name = options.model.trim();
  const extra = options.providerSettings ?? {};
  const contextWindowTokens = positiveWindow(options.contextWindowTokens ?? defaults.contextWindowTokens, defaults.setting);
  const explicitKey = options.apiKey ?? defaults.apiKey;
  const baseURL = options.baseURL ?? defaults.baseURL;
  const colon = name.indexOf(':');
  const prefix = colon > 0 ? name.slice(0, colon).toLowerCase() : undefined;
  const rest = colon > 0 ? name.slice(colon + 1) : name;
  const window = contextWindowTokens === undefined ? {} : { contextWindowTokens };

  const aiSdk = prefix === undefined ? undefined : AI_SDK_PROVIDERS[prefix === 'bedrock' ? 'amazon-bedrock' : prefix];
  if (aiSdk !== undefined) {
    if (rest === '') fail(`\`${defaults.setting}\` "${name}" names no model after "${prefix}:".`);
    const apiKey = explicitKey ?? (aiSdk.apiKeyEnv === undefined ? undefined : env[aiSdk.apiKeyEnv]);
    if (aiSdk.apiKeyEnv !== undefined && (apiKey === undefined || apiKey === '')) {
      throw new MissingApiKeyError(`No ${aiSdk.displayName} API key for "${name}": set the ${aiSdk.apiKeyEnv} environment variable or pass \`apiKey\`.`, {
        envVar: aiSdk.apiKeyEnv,
        providerName: aiSdk.displayName,
      });
    }
    return {
      kind: 'ai-sdk',
      label: name,
      modelRef: name,
      provider: aiSdk,
      modelId: rest,
      factorySettings: { ...extra, ...(explicitKey === undefined ? {} : { apiKey: explicitKey }) },
      ...window,
    };
  }

  const preset = prefix === undefined ? undefined : OPENAI_COMPATIBLE_PRESETS[prefix];
  if (preset !== undefined) {
    if (rest === '') fail(`\`${defaults.setting}\` "${name}" names no model after "${prefix}:".`);
    const url = options.baseURL ?? defaults.baseURL ?? preset.baseURL;
    if (url === undefined) {
      fail(`"${name}" needs the base URL of your OpenAI-compatible server: pass \`baseURL\` (CLI: --base-url), e.g. http://localhost:8000/v1.`, 'missing-base-url');
    }
    const apiKey = explicitKey ?? (preset.apiKeyEnv === undefined ? undefined : env[preset.apiKeyEnv]);
    if (preset.apiKeyEnv !== undefined && (apiKey === undefined || apiKey === '')) {
      throw new MissingApiKeyError(`No ${preset.displayName} API key for "${name}": set the ${preset.apiKeyEnv} environment variable or pass \`apiKey\`.`, {
        envVar: preset.apiKeyEnv,
        providerName: preset.displayName,
      });
    }
    return {
      kind: 'openai',
      label: name,
      modelRef: rest,
      settings: { ...extra, model: rest, baseURL: url, apiKey: apiKey ?? 'rlms-no-key', name: prefix === 'openai-compatible' ? 'openai-compatible' : prefix!, ...window },
    };
  }

  if (prefix === 'openai' || (prefix === undefined && baseURL === undefined && OPENAI_NAME.test(name)) || (prefix === 'ft' && baseURL === undefined)) {
    const modelId = prefix === 'openai' ? rest : name;
    if (modelId === '') fail(`\`${defaults.setting}\` "${name}" names no model after "openai:".`);
    const apiKey = explicitKey ?? env.OPENAI_API_KEY;
    if ((apiKey === undefined || apiKey === '') && baseURL === undefined) {
      throw new MissingApiKeyError(
        `No OpenAI API key for "${modelId}": set the OPENAI_API_KEY environment variable or pass \`apiKey\`; for a local OpenAI-compatible server pass \`baseURL\` instead.`,
        { envVar: 'OPENAI_API_KEY', providerName: 'OpenAI' },
      );
    }
    return {
      kind: 'openai',
      label: modelId,
      modelRef: modelId,
      settings: { ...extra, model: modelId, ...(apiKey === undefined || apiKey === '' ? { apiKey: 'rlms-no-key' } : { apiKey }), ...(baseURL === undefined ? {} : { baseURL }), ...window },
    };
  }

  if (baseURL !== undefined && (prefix === undefined || !KNOWN_PREFIXES.includes(prefix))) {
    // Any other name is the model id on the given OpenAI-compatible server (e.g. "qwen3:8b" on Ollama).
    // Only an explicit key is sent: OPENAI_API_KEY never leaks to another server.
    const apiKey = explicitKey;
    return {
      kind: 'openai',
      label: name,
      modelRef: name,
      settings: { ...extra, model: name, baseURL, apiKey: apiKey ?? 'rlms-no-key', name: 'openai-compatible', ...window },
    };
  }
  if (prefix !== undefined && !KNOWN_PREFIXES.includes(prefix)) {
    fail(`Unknown model provider "${prefix}" in "${name}" (\`${defaults.setting}\`): use one of ${KNOWN_PREFIXES.join(', ')}, or pass a ModelProviderV1 instance.`);
  }
  return fail(unknownModelMessage(name, defaults.setting));
}
