import { ConfigurationError } from '@rlms/core';
import { describe, expect, it } from 'vitest';
import { MissingApiKeyError, planModel, type ModelPlan } from '../src/index.js';

const env = { OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-ant', OPENROUTER_API_KEY: 'sk-or' };

function plan(spec: Parameters<typeof planModel>[0], defaults: Partial<Parameters<typeof planModel>[1]> = {}): ModelPlan {
  return planModel(spec, { setting: 'model', env, ...defaults });
}

describe('planModel', () => {
  it('OpenAI names go to @rlms/openai with OPENAI_API_KEY', () => {
    expect(plan('gpt-4o')).toMatchObject({ kind: 'openai', modelRef: 'gpt-4o', settings: { model: 'gpt-4o', apiKey: 'sk-openai' } });
    expect(plan('openai:o3')).toMatchObject({ kind: 'openai', settings: { model: 'o3' } });
    expect(plan('ft:gpt-4o-mini:acme::abc')).toMatchObject({ kind: 'openai', settings: { model: 'ft:gpt-4o-mini:acme::abc' } });
    expect(plan('gpt-4o', { apiKey: 'sk-explicit', contextWindowTokens: 64_000 })).toMatchObject({ settings: { apiKey: 'sk-explicit', contextWindowTokens: 64_000 } });
  });

  it('a base URL makes any name an OpenAI-compatible model and never forwards OPENAI_API_KEY', () => {
    const local = plan('qwen3:8b', { baseURL: 'http://127.0.0.1:11434/v1' });
    expect(local).toMatchObject({ kind: 'openai', modelRef: 'qwen3:8b', settings: { model: 'qwen3:8b', baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'rlms-no-key', name: 'openai-compatible' } });
    expect(plan({ baseURL: 'http://h/v1', model: 'gpt-4o' })).toMatchObject({ settings: { apiKey: 'rlms-no-key', baseURL: 'http://h/v1' } });
    expect(plan({ baseURL: 'http://h/v1', model: 'm', apiKey: 'k', providerSettings: { extraBody: { top_k: 20 } } })).toMatchObject({ settings: { apiKey: 'k', extraBody: { top_k: 20 } } });
    expect(plan('ollama:llama3.1:8b')).toMatchObject({ settings: { model: 'llama3.1:8b', baseURL: 'http://127.0.0.1:11434/v1', name: 'ollama' } });
    expect(plan('openrouter:meta/llama')).toMatchObject({ settings: { baseURL: 'https://openrouter.ai/api/v1', apiKey: 'sk-or' } });
  });

  it('provider:model names of other providers go through the AI SDK', () => {
    expect(plan('anthropic:claude-sonnet-4-5')).toMatchObject({
      kind: 'ai-sdk',
      modelId: 'claude-sonnet-4-5',
      provider: { packageName: '@ai-sdk/anthropic', factory: 'createAnthropic' },
      factorySettings: {},
    });
    expect(plan({ model: 'google:gemini-2.5-pro', apiKey: 'g', contextWindowTokens: 1_000_000 }, { env: {} })).toMatchObject({
      kind: 'ai-sdk',
      factorySettings: { apiKey: 'g' },
      contextWindowTokens: 1_000_000,
    });
    expect(plan('bedrock:anthropic.claude-3', { env: {} })).toMatchObject({ kind: 'ai-sdk', provider: { packageName: '@ai-sdk/amazon-bedrock' } });
  });

  it('errors say what to do', () => {
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (caught) {
        return caught as ConfigurationError;
      }
      throw new Error('no error');
    };
    const noKey = error(() => plan('gpt-4o', { env: {} }));
    expect(MissingApiKeyError.isInstance(noKey)).toBe(true);
    expect((noKey as MissingApiKeyError).envVar).toBe('OPENAI_API_KEY');
    expect(ConfigurationError.isInstance(noKey)).toBe(true);
    expect((error(() => plan('mistral:large', { env: {} })) as MissingApiKeyError).envVar).toBe('MISTRAL_API_KEY');
    expect(error(() => plan('gemini-2.5-pro')).message).toContain('Did you mean "google:gemini-2.5-pro"?');
    expect(error(() => plan('anthropic:')).message).toContain('names no model after "anthropic:"');
    expect(error(() => plan({ model: 'gpt-4o', contextWindowTokens: -1 })).message).toContain('`model.contextWindowTokens` must be a positive integer');
    expect(error(() => plan(42 as never)).code).toBe('invalid-model');
  });
});
