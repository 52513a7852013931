import { RLMAbortError } from '../../errors/errors.js';
import { sleep } from '../../engine/run/semaphore.js';
import { RLMError } from '../../errors/rlm-error.js';
import type {
  ChatMessage,
  FinishReason,
  ModelCallOptions,
  ModelProviderV1,
  ModelResponse,
  ModelStreamPart,
} from '../../spec/model-provider-v1.js';
import type { TokenUsage } from '../../spec/usage.js';

/** One scripted reply: plain text, a full reply, or an error to throw. */
export type MockReply =
  | string
  | Error
  | {
      readonly text: string;
      readonly usage?: TokenUsage;
      readonly finishReason?: FinishReason;
      readonly costUsd?: number;
      /** Wait this long before answering (abortable). */
      readonly delayMs?: number;
    };

/** What a reply function receives. */
export interface MockCall {
  /** 0-based index of the call on this model. */
  readonly index: number;
  readonly messages: readonly ChatMessage[];
  readonly options: ModelCallOptions;
  /** The last message's content (the prompt of an `llm_query`). */
  readonly prompt: string;
  /** The system message's content, when any. */
  readonly system: string | undefined;
}

export interface MockModelSettings {
  /** Replies consumed in order (the mock throws once they run out), or a function of each call. */
  readonly replies: readonly MockReply[] | ((call: MockCall) => MockReply | Promise<MockReply>);
  readonly modelId?: string;
  readonly provider?: string;
  readonly contextWindowTokens?: number;
  /**
   * Usage reported when a reply does not give its own: `'estimate'` (default; ceil(chars / 4) for
   * input and output), or `'none'` (usage fields left undefined, like a backend that reports nothing).
   */
  readonly usage?: 'estimate' | 'none';
  /** Delay of every call in ms (abortable). Default 0. */
  readonly delayMs?: number;
}

/** Thrown when a list-scripted mock is called more times than it has replies. */
export class MockExhaustedError extends RLMError {
  constructor(modelId: string, calls: number) {
    super(`MockModel "${modelId}" has no reply left for call #${calls + 1}: add more replies to its script.`, {
      code: 'mock-exhausted',
    });
    this.name = 'MockExhaustedError';
  }
}

function estimate(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * A scripted model for tests, implementing `ModelProviderV1`. Records every call in `calls`.
 *
 * ```ts
 * const model = new MockModel({ replies: ['```repl\nFINAL(len(context))\n```'] });
 * ```
 */
export class MockModel implements ModelProviderV1 {
  readonly specificationVersion = 'rlms-model-v1' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly contextWindowTokens: number | undefined;
  /** Every call received, in order. */
  readonly calls: MockCall[] = [];
  /** Calls in flight now and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly settings: MockModelSettings;

  constructor(settings: MockModelSettings) {
    this.settings = settings;
    this.provider = settings.provider ?? 'mock';
    this.modelId = settings.modelId ?? 'mock-model';
    this.contextWindowTokens = settings.contextWindowTokens;
  }

  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    const index = this.calls.length;
    // Copy: callers may keep appending to the array they passed.
    const messages = [...options.messages];
    const call: MockCall = {
      index,
      messages,
      options,
      prompt: messages.at(-1)?.content ?? '',
      system: messages.find((message) => message.role === 'system')?.content,
    };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await sleep(this.settings.delayMs ?? 0, options.abortSignal);
      const script = this.settings.replies;
      let reply: MockReply;
      if (typeof script === 'function') reply = await script(call);
      else {
        if (index >= script.length) throw new MockExhaustedError(this.modelId, index);
        reply = script[index]!;
      }
      if (reply instanceof Error) throw reply;
      const full = typeof reply === 'string' ? { text: reply } : reply;
      if (full.delayMs !== undefined) await sleep(full.delayMs, options.abortSignal);
      if (options.abortSignal?.aborted) throw new RLMAbortError();
      const inputChars = messages.reduce((sum, message) => sum + message.content.length, 0);
      const usage: TokenUsage =
        full.usage ??
        (this.settings.usage === 'none'
          ? {}
          : { inputTokens: Math.ceil(inputChars / 4), outputTokens: estimate(full.text), totalTokens: Math.ceil(inputChars / 4) + estimate(full.text) });
      return {
        text: full.text,
        usage,
        finishReason: full.finishReason ?? 'stop',
        ...(full.costUsd === undefined ? {} : { costUsd: full.costUsd }),
      };
    } finally {
      this.inFlight--;
    }
  }

  async *stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart> {
    const response = await this.generate(options);
    const size = Math.max(1, Math.ceil(response.text.length / 4));
    for (let offset = 0; offset < response.text.length; offset += size) {
      yield { type: 'text-delta', delta: response.text.slice(offset, offset + size) };
    }
    yield {
      type: 'finish',
      usage: response.usage,
      finishReason: response.finishReason,
      ...(response.costUsd === undefined ? {} : { costUsd: response.costUsd }),
    };
  }
}
