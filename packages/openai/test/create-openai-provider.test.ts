import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '@rlms/core';
import { PLACEHOLDER_API_KEY, computeCostUsd, createOpenAIProvider, isReasoningModel, openAIPricing } from '../src/index.js';
import { retryAfterMsFromHeaders } from '../src/retry-after.js';
import { StopSequenceFilter, applyStopSequences } from '../src/stop-sequence-filter.js';
import { useServer } from './server-fixture.js';

const { start } = useServer();

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(ConfigurationError.isInstance(error), `expected a ConfigurationError, got ${String(error)}`).toBe(true);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError, nothing was thrown');
}

describe('createOpenAIProvider settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('throws a ConfigurationError that says how to fix a missing key', () => {
    vi.stubEnv('OPENAI_API_KEY', undefined);
    vi.stubEnv('OPENAI_BASE_URL', undefined);
    const error = configurationError(() => createOpenAIProvider({ model: 'gpt-4o' }));
    expect(error.code).toBe('missing-api-key');
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).toContain('apiKey');
    expect(error.message).toContain('baseURL');
  });

  it('reads OPENAI_API_KEY and OPENAI_BASE_URL', async () => {
    const server = await start({ replies: ['from env'], apiKey: 'env-key' });
    vi.stubEnv('OPENAI_API_KEY', 'env-key');
    vi.stubEnv('OPENAI_BASE_URL', server.baseURL);
    const response = await createOpenAIProvider({ model: 'test-model' }).generate({ messages: [{ role: 'user', content: 'x' }] });
    expect(response.text).toBe('from env');
  });

  it('sends a placeholder key to a custom baseURL when no key is configured', async () => {
    vi.stubEnv('OPENAI_API_KEY', undefined);
    vi.stubEnv('OPENAI_ORG_ID', 'org-should-not-leak');
    const server = await start({ replies: ['local'] });
    const provider = createOpenAIProvider({ model: 'test-model', baseURL: server.baseURL });
    expect((await provider.generate({ messages: [{ role: 'user', content: 'x' }] })).text).toBe('local');
    expect(server.modelRequests[0]?.headers.authorization).toBe(`Bearer ${PLACEHOLDER_API_KEY}`);
    expect(server.modelRequests[0]?.headers['openai-organization']).toBeUndefined();
  });

  it('does no I/O in the factory', async () => {
    const server = await start();
    createOpenAIProvider({ model: 'test-model', baseURL: server.baseURL, apiKey: 'k' });
    expect(server.requests).toEqual([]);
  });

  it.each([
    [{ model: '' }, '`model` is required'],
    [{ model: 'm', maxRetries: -1 }, '`maxRetries`'],
    [{ model: 'm', maxRetries: 1.5 }, '`maxRetries` must be an integer'],
    [{ model: 'm', timeoutMs: 0 }, '`timeoutMs`'],
    [{ model: 'm', baseURL: 'localhost:8000' }, '`baseURL` must be an http(s) URL'],
    [{ model: 'm', api: 'completions' as never }, "`api` must be 'chat' or 'responses'"],
    [{ model: 'm', pricing: { inputPerMillion: -1, outputPerMillion: 1 } }, '`pricing.inputPerMillion`'],
    [{ model: 'm', contextWindowTokens: 0 }, '`contextWindowTokens`'],
  ])('rejects invalid settings %j', (settings, message) => {
    const error = configurationError(() => createOpenAIProvider({ apiKey: 'k', ...settings }));
    expect(error.code).toBe('invalid-setting');
    expect(error.message).toContain(message);
  });
});

describe('computeCostUsd', () => {
  const pricing = { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 };

  it('prices uncached input, cached input and output separately', () => {
    expect(computeCostUsd({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 250_000 }, pricing)).toBeCloseTo(
      0.6 * 2 + 0.4 * 0.5 + 0.25 * 8,
      12,
    );
  });

  it('bills cached tokens at the input price when the model has no cached price', () => {
    expect(
      computeCostUsd({ inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 0 }, { inputPerMillion: 3, outputPerMillion: 9 }),
    ).toBeCloseTo(3, 12);
  });

  it('returns undefined without pricing or without input/output counts', () => {
    expect(computeCostUsd({ inputTokens: 1, outputTokens: 1 }, undefined)).toBeUndefined();
    expect(computeCostUsd({ outputTokens: 1 }, pricing)).toBeUndefined();
    expect(computeCostUsd({ inputTokens: 1 }, pricing)).toBeUndefined();
    expect(computeCostUsd({}, pricing)).toBeUndefined();
  });
});

describe('model tables and quirks', () => {
  it('finds prices by exact id and dated snapshot, never by a near name', () => {
    expect(openAIPricing('gpt-4o-mini')).toEqual({ inputPerMillion: 0.15, cachedInputPerMillion: 0.075, outputPerMillion: 0.6 });
    expect(openAIPricing('gpt-4o-mini-2024-07-18')).toEqual(openAIPricing('gpt-4o-mini'));
    expect(openAIPricing('gpt-4o-2024-05-13')?.inputPerMillion).toBe(5);
    expect(openAIPricing('gpt-4o-mini-custom')).toBeUndefined();
    expect(openAIPricing('toString')).toBeUndefined();
  });

  it('detects reasoning models', () => {
    for (const model of ['o1', 'o1-mini', 'o3', 'o3-mini-2025-01-31', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5.1', 'openai/o3']) {
      expect(isReasoningModel(model), model).toBe(true);
    }
    for (const model of ['gpt-4o', 'gpt-4.1-mini', 'gpt-5-chat-latest', 'omni-moderation', 'qwen3-8b', 'ollama3']) {
      expect(isReasoningModel(model), model).toBe(false);
    }
  });
});

describe('retry-after', () => {
  it('parses retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3_000);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMsFromHeaders(new Headers())).toBeUndefined();
  });
});

describe('client-side stop sequences', () => {
  it('cuts at the earliest stop sequence', () => {
    expect(applyStopSequences('a STOP b END c', ['END', 'STOP'])).toEqual({ text: 'a ', stopped: true });
    expect(applyStopSequences('no stop here', ['END'])).toEqual({ text: 'no stop here', stopped: false });
  });

  it('catches a stop sequence split across deltas', () => {
    const filter = new StopSequenceFilter(['<END>']);
    const out = ['hello <E', 'N', 'D> tail', ' more'].map((delta) => filter.push(delta)).join('') + filter.flush();
    expect(out).toBe('hello ');
    expect(filter.stopped).toBe(true);
  });

  it('passes everything through without stop sequences', () => {
    const filter = new StopSequenceFilter([]);
    expect(filter.push('abc') + filter.push('def') + filter.flush()).toBe('abcdef');
  });
});
