/**
 * The conformance suite every model adapter runs (OpenAI, AI SDK, LangChain, LlamaIndex…).
 * Call it at the top level of a vitest test file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ChatMessage,
  FinishReason,
  ModelProviderV1,
  ModelResponse,
  ModelStreamPart,
  TokenUsage,
} from '../../spec/index.js';

/** What a provider under test must be scripted to do. */
export interface ModelProviderScript {
  /** Replies of the next calls, in order. */
  readonly replies: readonly string[];
  /**
   * When set, the backend should wait this long (milliseconds) before answering, so that a call
   * can be aborted while in flight. Only used when `supports.abort` is true.
   */
  readonly delayMs?: number;
  /**
   * When set, every call should fail with an error carrying this text (a fake that throws, a
   * server answering 400 with this message…). Only used when `supports.errors` is true.
   */
  readonly error?: string;
}

/** What the provider under test can do; cases for missing abilities are skipped. */
export interface ModelProviderSupports {
  /** `stream()` is implemented. Default `true`. */
  readonly stream?: boolean;
  /** An abort while the call is in flight rejects promptly (needs `script.delayMs`). Default `true`. */
  readonly abort?: boolean;
  /** Usage is reported: `inputTokens` and `outputTokens` are positive. Default `false`. */
  readonly usage?: boolean;
  /** The backend can be scripted to fail (`script.error`). Default `true`. */
  readonly errors?: boolean;
}

/** Options of {@link testModelProvider}. */
export interface TestModelProviderOptions {
  /** Name shown in the test titles. */
  readonly name: string;
  /** Builds a fresh provider whose backend follows `script`. Called once per case. */
  readonly create: (script: ModelProviderScript) => ModelProviderV1 | Promise<ModelProviderV1>;
  readonly supports?: ModelProviderSupports;
  /** Runs after every case (close servers, reset fakes). */
  readonly cleanup?: () => void | Promise<void>;
}

const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other', 'unknown'];
const USAGE_FIELDS = ['inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens', 'totalTokens'] as const;
/** How long the backend is asked to stall for the abort cases, in milliseconds. */
const STALL_MS = 30_000;
const USER: ChatMessage = { role: 'user', content: 'Say hello.' };

/**
 * Registers the model-provider conformance cases in a `describe` block.
 *
 * Cases: identity fields; generate returns the scripted reply; replies are consumed in order;
 * system + user + assistant conversations are accepted; usage fields are non-negative integers or
 * `undefined`; `costUsd` is finite and non-negative or `undefined`; an already-aborted signal and
 * (when `supports.abort`) a mid-call abort reject with an `AbortError`-named error; (when
 * `supports.stream`) stream deltas concatenate to the reply and end with exactly one `finish`
 * part; (when `supports.errors`) failures are `Error` instances whose message carries the cause.
 *
 * @example
 * ```ts
 * testModelProvider({
 *   name: 'mock',
 *   create: (script) => new MockModelProvider({ replies: script.replies }),
 *   supports: { abort: false, errors: false },
 * });
 * ```
 */
export function testModelProvider(options: TestModelProviderOptions): void {
  const supports = {
    stream: options.supports?.stream ?? true,
    abort: options.supports?.abort ?? true,
    usage: options.supports?.usage ?? false,
    errors: options.supports?.errors ?? true,
  };
  const create = async (script: ModelProviderScript): Promise<ModelProviderV1> => options.create(script);

  describe(`model provider conformance: ${options.name}`, () => {
    if (options.cleanup !== undefined) afterEach(options.cleanup);

    it('has specificationVersion, provider and modelId', async () => {
      const provider = await create({ replies: [] });
      expect(provider.specificationVersion).toBe('rlms-model-v1');
      expect(typeof provider.provider).toBe('string');
      expect(provider.provider.length).toBeGreaterThan(0);
      expect(typeof provider.modelId).toBe('string');
      expect(provider.modelId.length).toBeGreaterThan(0);
      if (provider.contextWindowTokens !== undefined) {
        expect(Number.isInteger(provider.contextWindowTokens)).toBe(true);
        expect(provider.contextWindowTokens).toBeGreaterThan(0);
      }
    });

    it('generate returns the scripted reply with a valid finish reason, usage and cost', async () => {
      const provider = await create({ replies: ['Hello, world.'] });
      const response = await provider.generate({ messages: [USER] });
      expect(response.text).toBe('Hello, world.');
      expectValidResponse(response, supports.usage);
    });

    it('consumes scripted replies in order', async () => {
      const provider = await create({ replies: ['first', 'second'] });
      expect((await provider.generate({ messages: [USER] })).text).toBe('first');
      expect((await provider.generate({ messages: [USER] })).text).toBe('second');
    });

    it('accepts a system + user + assistant + user conversation', async () => {
      const provider = await create({ replies: ['The answer is 4.'] });
      const response = await provider.generate({
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'What is 1 + 1?' },
          { role: 'assistant', content: '2' },
          { role: 'user', content: 'And 2 + 2?' },
        ],
        maxOutputTokens: 64,
        temperature: 0,
      });
      expect(response.text).toBe('The answer is 4.');
      expectValidResponse(response, supports.usage);
    });

    it('rejects with an AbortError-named error when the signal is already aborted', async () => {
      const provider = await create({ replies: ['never'] });
      const controller = new AbortController();
      controller.abort();
      const error = await captureError(provider.generate({ messages: [USER], abortSignal: controller.signal }));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
    });

    it.runIf(supports.abort)('rejects promptly with an AbortError-named error when aborted mid-call', async () => {
      const provider = await create({ replies: ['too late'], delayMs: STALL_MS });
      const controller = new AbortController();
      const started = Date.now();
      const pending = captureError(provider.generate({ messages: [USER], abortSignal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      const error = await pending;
      expect(error, 'the call must reject, not resolve; did the backend honour script.delayMs?').toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
      // Far below the stall: the abort, not the backend, ended the call.
      expect(Date.now() - started).toBeLessThan(STALL_MS / 2);
    });

    it.runIf(supports.stream)('stream deltas concatenate to the reply and end with one finish part', async () => {
      const provider = await create({ replies: ['Streaming works, word by word.'] });
      expect(typeof provider.stream, 'supports.stream is true but stream() is missing').toBe('function');
      const parts: ModelStreamPart[] = [];
      for await (const part of provider.stream!({ messages: [USER] })) parts.push(part);
      const finishes = parts.filter((part) => part.type === 'finish');
      expect(finishes).toHaveLength(1);
      expect(parts.at(-1)?.type).toBe('finish');
      const text = parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
      expect(text).toBe('Streaming works, word by word.');
      const finish = finishes[0] as Extract<ModelStreamPart, { type: 'finish' }>;
      expect(FINISH_REASONS).toContain(finish.finishReason);
      expectValidUsage(finish.usage, supports.usage);
      expectValidCost(finish.costUsd);
    });

    it.runIf(supports.stream)('stream rejects with an AbortError-named error when the signal is already aborted', async () => {
      const provider = await create({ replies: ['never'] });
      const controller = new AbortController();
      controller.abort();
      const error = await captureError(drain(provider.stream!({ messages: [USER], abortSignal: controller.signal })));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
    });

    it.runIf(supports.stream && supports.abort)('stream rejects with an AbortError-named error when aborted mid-call', async () => {
      const provider = await create({ replies: ['too late'], delayMs: STALL_MS });
      const controller = new AbortController();
      const pending = captureError(drain(provider.stream!({ messages: [USER], abortSignal: controller.signal })));
      setTimeout(() => controller.abort(), 50);
      const error = await pending;
      expect(error, 'the stream must reject, not complete').toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
    });

    it.runIf(supports.errors)('throws Error instances whose message carries the cause', async () => {
      const cause = 'scripted failure: the backend is unavailable';
      const provider = await create({ replies: [], error: cause });
      const error = await captureError(provider.generate({ messages: [USER] }));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).not.toBe('AbortError');
      expect((error as Error).message).toContain(cause);
    });
  });
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

async function drain(stream: AsyncIterable<ModelStreamPart>): Promise<void> {
  for await (const part of stream) void part;
}

function expectValidResponse(response: ModelResponse, usageRequired: boolean): void {
  expect(FINISH_REASONS).toContain(response.finishReason);
  expectValidUsage(response.usage, usageRequired);
  expectValidCost(response.costUsd);
  if (response.responseModelId !== undefined) expect(typeof response.responseModelId).toBe('string');
}

function expectValidUsage(usage: TokenUsage, required: boolean): void {
  expect(typeof usage).toBe('object');
  for (const field of USAGE_FIELDS) {
    const value = usage[field];
    if (value === undefined) continue;
    expect(Number.isInteger(value), `usage.${field} must be an integer or undefined, got ${String(value)}`).toBe(true);
    expect(value, `usage.${field} must be non-negative`).toBeGreaterThanOrEqual(0);
  }
  if (required) {
    expect(usage.inputTokens, 'usage.inputTokens must be reported').toBeGreaterThan(0);
    expect(usage.outputTokens, 'usage.outputTokens must be reported').toBeGreaterThan(0);
  }
}

function expectValidCost(costUsd: number | undefined): void {
  if (costUsd === undefined) return;
  expect(Number.isFinite(costUsd), `costUsd must be finite or undefined, got ${String(costUsd)}`).toBe(true);
  expect(costUsd).toBeGreaterThanOrEqual(0);
}
