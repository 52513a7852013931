import OpenAI from 'openai';
import { ModelProviderError, RLMAbortError, type ModelCallOptions, type ModelPricing, type ModelProviderV1, type ModelResponse, type ModelStreamPart } from '@rlms/core/spec';
import { AttemptController } from './attempt-controller.js';
import { computeCostUsd, redactSecrets } from '@rlms/core/sandbox';
import type { OpenAIApiAdapter, ReplySummary } from './openai-api-adapter.js';
import { StopSequenceFilter, applyStopSequences } from './stop-sequence-filter.js';
import { toModelProviderError, type ErrorContext } from './to-model-provider-error.js';

/** @internal Everything an {@link OpenAIProvider} needs, resolved and validated by `createOpenAIProvider`. */
export interface OpenAIProviderConfig {
  readonly provider: string;
  readonly modelId: string;
  readonly baseURL: string;
  readonly client: OpenAI;
  readonly adapter: OpenAIApiAdapter;
  readonly timeoutMs: number;
  readonly contextWindowTokens: number | undefined;
  readonly pricing: ModelPricing | undefined;
  /** Values removed from every error message: the API key and secret-looking header values. */
  readonly secrets?: readonly string[];
}

/**
 * A `ModelProviderV1` backed by the official `openai` SDK: OpenAI itself or any
 * OpenAI-compatible server. Create it with {@link createOpenAIProvider}.
 *
 * Each call is one HTTP request: the provider does not retry, and the SDK's own retries are off.
 * It classifies failures instead: transient ones (408/409/429/5xx, dropped connections, attempt
 * timeouts, a body cut short) are `ModelProviderError`s with `retryable: true` and, when the
 * server asked for a wait, `retryAfterMs`. The engine (`createRLM`'s `maxRetries`) is the one
 * owner of retries; outside the engine, use `generateWithRetries` from `@rlms/core`. On abort the
 * error is `RLMAbortError` (`name === 'AbortError'`).
 */
export class OpenAIProvider implements ModelProviderV1 {
  readonly specificationVersion = 'rlms-model-v1' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly contextWindowTokens: number | undefined;
  /** The model's prices used for `costUsd`, or `undefined` when unknown. */
  readonly pricing: ModelPricing | undefined;
  private readonly config: OpenAIProviderConfig;
  private readonly errorContext: ErrorContext;

  /** @internal Use {@link createOpenAIProvider}, which validates settings and builds the config. */
  constructor(config: OpenAIProviderConfig) {
    this.config = config;
    this.provider = config.provider;
    this.modelId = config.modelId;
    this.contextWindowTokens = config.contextWindowTokens;
    this.pricing = config.pricing;
    this.errorContext = {
      provider: config.provider,
      modelId: config.modelId,
      baseURL: config.baseURL,
      api: config.adapter.api,
      secrets: config.secrets ?? [],
    };
  }

  /**
   * One complete call: one HTTP request.
   * @throws {RLMAbortError} when `abortSignal` aborts (before or during the call).
   * @throws {ModelProviderError} when the request fails; `retryable` and `retryAfterMs` say whether and when to try again.
   */
  async generate(options: ModelCallOptions): Promise<ModelResponse> {
    this.checkOptions(options);
    const { adapter } = this.config;
    const plan = adapter.plan(options, false);
    const attempt = this.startAttempt(options.abortSignal);
    try {
      const raw = await adapter.send(this.config.client, plan.body, this.requestOptions(options, attempt));
      if (attempt.callerAborted) throw new RLMAbortError();
      const reply = adapter.parse(raw);
      const stopped = applyStopSequences(reply.text, plan.clientStopSequences);
      return this.response(reply.text === stopped.text ? reply : { ...reply, finishReason: 'stop' }, stopped.text);
    } catch (error) {
      throw toModelProviderError(error, attempt, this.errorContext);
    } finally {
      attempt.dispose();
    }
  }

  /**
   * Streams one call (one HTTP request): `text-delta` parts, then one `finish` part with usage
   * (requested with `stream_options.include_usage`) and cost.
   * @throws {RLMAbortError} when `abortSignal` aborts.
   * @throws {ModelProviderError} on failure, including a stream that ends before the model finished
   *   (`code: 'truncated-stream'`). A failure after partial output says so in its message: a retry
   *   starts the reply over, so a caller that showed the partial text must discard it first.
   */
  async *stream(options: ModelCallOptions): AsyncGenerator<ModelStreamPart, void, undefined> {
    this.checkOptions(options);
    const { adapter } = this.config;
    const plan = adapter.plan(options, true);
    const attempt = this.startAttempt(options.abortSignal);
    let yielded = false;
    try {
      const stream = (await adapter.send(this.config.client, plan.body, this.requestOptions(options, attempt))) as AsyncIterable<unknown>;
      const folder = adapter.streamFolder();
      const filter = new StopSequenceFilter(plan.clientStopSequences);
      for await (const event of stream) {
        attempt.arm();
        const delta = filter.push(folder.accept(event));
        if (delta !== '') {
          yielded = true;
          yield { type: 'text-delta', delta };
        }
      }
      // The SDK ends a stream quietly when its signal aborts: find out why it ended.
      if (attempt.callerAborted || attempt.timedOut) throw new RLMAbortError();
      const rest = filter.flush();
      if (rest !== '') {
        yielded = true;
        yield { type: 'text-delta', delta: rest };
      }
      const summary = folder.end();
      if (summary === undefined) throw this.truncatedStreamError();
      const finish = this.response(filter.stopped ? { ...summary, finishReason: 'stop' } : summary, '');
      yield {
        type: 'finish',
        usage: finish.usage,
        finishReason: finish.finishReason,
        ...(finish.costUsd === undefined ? {} : { costUsd: finish.costUsd }),
        ...(finish.responseModelId === undefined ? {} : { responseModelId: finish.responseModelId }),
      };
    } catch (error) {
      throw yielded ? this.partialStreamError(error, attempt) : toModelProviderError(error, attempt, this.errorContext);
    } finally {
      attempt.dispose();
    }
  }

  private checkOptions(options: ModelCallOptions): void {
    if (options.abortSignal?.aborted === true) throw new RLMAbortError(undefined, { cause: options.abortSignal.reason });
    if (!Array.isArray(options.messages) || options.messages.length === 0) {
      throw new ModelProviderError(`Model '${this.modelId}': \`messages\` must be a non-empty array of chat messages.`, {
        provider: this.provider,
        modelId: this.modelId,
        code: 'invalid-request',
      });
    }
  }

  private startAttempt(signal: AbortSignal | undefined): AttemptController {
    if (signal?.aborted === true) throw new RLMAbortError(undefined, { cause: signal.reason });
    return new AttemptController(signal, this.config.timeoutMs);
  }

  private requestOptions(options: ModelCallOptions, attempt: AttemptController): OpenAI.RequestOptions {
    return {
      signal: attempt.signal,
      timeout: this.config.timeoutMs,
      maxRetries: 0,
      ...(options.headers === undefined ? {} : { headers: { ...options.headers } }),
    };
  }

  private partialStreamError(error: unknown, attempt: AttemptController): ModelProviderError | RLMAbortError {
    const mapped = toModelProviderError(error, attempt, this.errorContext);
    if (!ModelProviderError.isInstance(mapped)) return mapped;
    return new ModelProviderError(`${mapped.message} (the stream broke after partial output; a retry starts the reply over)`, {
      provider: mapped.provider,
      modelId: mapped.modelId,
      code: mapped.code,
      retryable: mapped.retryable,
      cause: mapped,
      ...(mapped.statusCode === undefined ? {} : { statusCode: mapped.statusCode }),
    });
  }

  private truncatedStreamError(): ModelProviderError {
    return new ModelProviderError(
      `The stream from model '${this.modelId}' at ${redactSecrets(this.config.baseURL, this.errorContext.secrets)} ended before the model finished ` +
        '(no finish reason / completion event): the connection was cut or the server failed mid-reply.',
      { provider: this.provider, modelId: this.modelId, code: 'truncated-stream', retryable: true },
    );
  }

  private response(summary: ReplySummary, text: string): ModelResponse {
    const costUsd = computeCostUsd(summary.usage, this.pricing);
    return {
      text,
      usage: summary.usage,
      finishReason: summary.finishReason,
      ...(costUsd === undefined ? {} : { costUsd }),
      ...(summary.responseModelId === undefined ? {} : { responseModelId: summary.responseModelId }),
    };
  }
}
