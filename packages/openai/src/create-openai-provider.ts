import OpenAI from 'openai';
import { ConfigurationError, type ModelPricing } from '@rlms/core/spec';
import type { ModelTraits } from './openai-api-adapter.js';
import { chatCompletionsAdapter } from './openai-chat-api.js';
import { openAIContextWindow } from './openai-context-windows.js';
import { defaultSystemMessageRole, isReasoningModel } from './openai-model-quirks.js';
import { openAIPricing } from './openai-prices.js';
import { OpenAIProvider } from './openai-provider.js';
import type { OpenAIProviderSettings } from './openai-provider-settings.js';
import { responsesAdapter } from './openai-responses-api.js';

/** OpenAI's own endpoint, used when neither `baseURL` nor `OPENAI_BASE_URL` is set. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Key sent to custom servers when no key is configured (local servers usually accept any). */
export const PLACEHOLDER_API_KEY = 'rlms-no-key';

const DEFAULTS = {
  timeoutMs: 600_000,
} as const;

/**
 * Creates a model provider for OpenAI or any OpenAI-compatible server (vLLM, SGLang, Ollama,
 * llama.cpp server, LM Studio, OpenRouter, Together, Groq…). Does no I/O.
 *
 * @example
 * ```ts
 * const gpt = createOpenAIProvider({ model: 'gpt-4.1-mini' }); // key from OPENAI_API_KEY
 * const local = createOpenAIProvider({ model: 'mit-oasys/rlm-qwen3-8b-v0.1', baseURL: 'http://localhost:8000/v1' });
 * const reply = await gpt.generate({ messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 *
 * @throws {ConfigurationError} `code: 'missing-api-key'` when no key is given, `OPENAI_API_KEY` is
 *   unset and no custom `baseURL` is set; `code: 'invalid-setting'` for a bad setting (empty
 *   model, negative retries, non-positive timeout, malformed URL, negative prices).
 *
 * The provider does not retry: the engine does (`maxRetries` of `createRLM`). The settings
 * `maxRetries`, `retryBaseDelayMs` and `retryMaxDelayMs` are deprecated and ignored.
 */
export function createOpenAIProvider(settings: OpenAIProviderSettings): OpenAIProvider {
  if (typeof settings !== 'object' || settings === null) {
    throw invalid('createOpenAIProvider needs a settings object, e.g. { model: "gpt-4.1-mini" }.');
  }
  const modelId = typeof settings.model === 'string' ? settings.model.trim() : '';
  if (modelId === '') {
    throw invalid('`model` is required: pass the model id, e.g. createOpenAIProvider({ model: "gpt-4.1-mini" }).');
  }
  const api = settings.api ?? 'chat';
  if (api !== 'chat' && api !== 'responses') throw invalid(`\`api\` must be 'chat' or 'responses', got ${JSON.stringify(api)}.`);
  // Deprecated retry settings (the engine retries): still checked, so a bad value is not silently kept.
  integerSetting('maxRetries', settings.maxRetries, 0, 0);
  numberSetting('retryBaseDelayMs', settings.retryBaseDelayMs, 0, 0);
  numberSetting('retryMaxDelayMs', settings.retryMaxDelayMs, 0, 0);
  const timeoutMs = numberSetting('timeoutMs', settings.timeoutMs, DEFAULTS.timeoutMs, 1);
  if (settings.contextWindowTokens !== undefined) integerSetting('contextWindowTokens', settings.contextWindowTokens, 0, 1);
  if (settings.pricing !== undefined) checkPricing(settings.pricing);

  const customBaseURL = nonEmpty(settings.baseURL) ?? nonEmpty(process.env.OPENAI_BASE_URL);
  const baseURL = (customBaseURL ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!URL.canParse(baseURL) || !/^https?:$/.test(new URL(baseURL).protocol)) {
    throw invalid(`\`baseURL\` must be an http(s) URL such as 'http://localhost:8000/v1', got ${JSON.stringify(baseURL)}.`);
  }
  const isOpenAI = new URL(baseURL).hostname === 'api.openai.com';
  const apiKey = nonEmpty(settings.apiKey) ?? nonEmpty(process.env.OPENAI_API_KEY) ?? (isOpenAI ? undefined : PLACEHOLDER_API_KEY);
  if (apiKey === undefined) {
    throw new ConfigurationError(
      'No OpenAI API key: set the OPENAI_API_KEY environment variable or pass `apiKey` to createOpenAIProvider(). ' +
        "For a local OpenAI-compatible server (vLLM, Ollama, llama.cpp…), pass `baseURL` (e.g. 'http://localhost:8000/v1') instead; no key is needed then.",
      { code: 'missing-api-key' },
    );
  }

  const reasoning = settings.reasoningModel ?? isReasoningModel(modelId);
  const traits: ModelTraits = {
    modelId,
    reasoning,
    systemMessageRole: settings.systemMessageRole ?? defaultSystemMessageRole(modelId, reasoning),
    reasoningEffort: settings.reasoningEffort,
    extraBody: settings.extraBody,
  };
  const provider = nonEmpty(settings.name) ?? 'openai';
  const client = new OpenAI({
    apiKey,
    baseURL,
    // Never send OpenAI org/project ids from the environment to other servers.
    organization: settings.organization ?? (isOpenAI ? undefined : null),
    project: settings.project ?? (isOpenAI ? undefined : null),
    ...(settings.headers === undefined ? {} : { defaultHeaders: { ...settings.headers } }),
    // One request per call: the engine owns retries (see OpenAIProvider).
    maxRetries: 0,
    timeout: timeoutMs,
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    // Failures reach the caller as typed errors; the SDK need not print them too (OPENAI_LOG still wins).
    ...(process.env.OPENAI_LOG === undefined ? { logLevel: 'off' as const } : {}),
  });
  return new OpenAIProvider({
    provider,
    modelId,
    baseURL,
    client,
    adapter: api === 'chat' ? chatCompletionsAdapter(traits) : responsesAdapter(traits, provider),
    timeoutMs,
    contextWindowTokens: settings.contextWindowTokens ?? openAIContextWindow(modelId),
    pricing: settings.pricing ?? openAIPricing(modelId),
    secrets: [apiKey, ...secretHeaderValues(settings.headers)],
  });
}

/** Header values that are credentials (`api-key`, `Authorization`, `X-…-Token`…), to keep out of error messages. */
function secretHeaderValues(headers: Readonly<Record<string, string>> | undefined): string[] {
  if (headers === undefined) return [];
  return Object.entries(headers)
    .filter(([name, value]) => typeof value === 'string' && /auth|key|token|secret|cookie|session|password/i.test(name))
    .map(([, value]) => value.replace(/^(?:Bearer|Basic|Token)\s+/i, ''));
}

function invalid(message: string): ConfigurationError {
  return new ConfigurationError(message, { code: 'invalid-setting' });
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function numberSetting(name: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw invalid(`\`${name}\` must be a finite number >= ${minimum}, got ${String(value)}.`);
  }
  return value;
}

function integerSetting(name: string, value: number | undefined, fallback: number, minimum: number): number {
  const number = numberSetting(name, value, fallback, minimum);
  if (!Number.isInteger(number)) throw invalid(`\`${name}\` must be an integer, got ${String(value)}.`);
  return number;
}

function checkPricing(pricing: ModelPricing): void {
  for (const field of ['inputPerMillion', 'outputPerMillion', 'cachedInputPerMillion'] as const) {
    const value = pricing[field];
    if (value === undefined && field === 'cachedInputPerMillion') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalid(`\`pricing.${field}\` must be a non-negative number of US dollars per million tokens, got ${String(value)}.`);
    }
  }
}
