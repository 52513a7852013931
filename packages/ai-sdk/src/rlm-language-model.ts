import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  SharedV4ProviderMetadata,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { ConfigurationError, RLMAbortError, RLMError, RLMEventNarrator, resolveRLM, throwIfAborted, type JsonSchema, type RLM, type RLMEvent, type RLMResult, type RLMSource } from '@rlms/core';
import { toLanguageModelUsage } from './map-usage.js';
import { splitPrompt, type PromptSplit } from './split-prompt.js';

/** Settings of {@link createRLMModel}. Give `rlm` or `settings`. */
export interface RLMLanguageModelSettings extends RLMSource {
  /** Model id reported to the AI SDK. Default `'rlm:<root model id>'`. */
  readonly modelId?: string;
  /** Provider name reported to the AI SDK, and the key of `providerMetadata`. Default `'rlms'`. */
  readonly provider?: string;
  /** Text parts (and messages) of at least this many characters are context, not question. Default 10 000. */
  readonly contextThresholdChars?: number;
  /**
   * The question when the prompt has no short user text (e.g. `prompt: hugeText`).
   * Default: answer the request the context contains.
   */
  readonly defaultQuestion?: string;
  /** Replaces the default split of the prompt into context and question (see `splitPrompt`). */
  readonly splitPrompt?: (prompt: LanguageModelV4Prompt) => PromptSplit | Promise<PromptSplit>;
  /**
   * How the run's progress is shown: `'reasoning'` (default) as reasoning parts, one line per
   * step (streamed live by `doStream`, one part in `doGenerate`); `'none'`; or a function
   * returning the line for an event (`undefined` to skip it).
   */
  readonly progress?: 'reasoning' | 'none' | ((event: RLMEvent) => string | undefined);
  /** Receives every event of every run. Errors it throws are ignored. */
  readonly onEvent?: (event: RLMEvent) => void;
}

/** Key of the RLM's details in `providerMetadata` (under the provider name). */
export interface RLMProviderMetadata {
  readonly status: RLMResult['status'];
  readonly statusDetail?: string;
  readonly iterations: number;
  readonly subcalls: number;
  readonly durationMs: number;
  readonly costUsd?: number;
}

const DEFAULT_QUESTION =
  'The context is a request too long to read at once. Find the instructions or question it contains and answer it as asked.';
const DEFAULT_THRESHOLD = 10_000;
const IGNORED_OPTIONS = [
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'stopSequences',
] as const;

function finishReasonOf(status: RLMResult['status']): LanguageModelV4FinishReason {
  return { unified: status === 'completed' ? 'stop' : 'length', raw: status };
}

/** The answer as text: JSON for a schema-validated value, else the FINAL value's text. */
function answerText(result: RLMResult<unknown>, schema: JsonSchema | undefined): string {
  const { answer } = result;
  if (schema !== undefined && (result.status === 'completed' || typeof answer !== 'string')) return JSON.stringify(answer) ?? '';
  return typeof answer === 'string' ? answer : (JSON.stringify(answer) ?? '');
}

function failureOf(result: RLMResult<unknown>): Error {
  if (result.status === 'aborted') return new RLMAbortError(result.statusDetail);
  return result.error ?? new RLMError(`The RLM run failed: ${result.statusDetail ?? 'unknown error'}`, { code: 'rlm-run-failed' });
}

/**
 * A Recursive Language Model as an AI SDK language model (`LanguageModelV4`). Create it with
 * {@link createRLMModel}. Each call splits the prompt into context and question, runs the RLM,
 * and answers with its result.
 */
export class RLMLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4' as const;
  readonly provider: string;
  readonly modelId: string;
  /** No URL is fetched by the model: the AI SDK downloads URL parts first. */
  readonly supportedUrls: Record<string, RegExp[]> = {};
  /** The RLM each call runs. */
  readonly rlm: RLM;
  private readonly settings: RLMLanguageModelSettings;

  constructor(rlm: RLM, settings: RLMLanguageModelSettings) {
    this.rlm = rlm;
    this.settings = settings;
    this.provider = settings.provider ?? 'rlms';
    const root = rlm.settings?.model;
    this.modelId = settings.modelId ?? (root === undefined ? 'rlm' : `rlm:${root.modelId}`);
  }

  private async prepare(options: LanguageModelV4CallOptions): Promise<{ split: PromptSplit; warnings: SharedV4Warning[]; schema?: JsonSchema }> {
    const warnings: SharedV4Warning[] = [];
    for (const name of IGNORED_OPTIONS) {
      if (options[name] !== undefined) {
        warnings.push({ type: 'unsupported', feature: name, details: 'Set it in the RLM settings (root model calls) instead.' });
      }
    }
    if (options.tools !== undefined && options.tools.length > 0) {
      warnings.push({ type: 'unsupported', feature: 'tools', details: 'An RLM answers in text; give host tools to the REPL with RLMSettings.tools.' });
    }
    const format = options.responseFormat;
    if (format?.type === 'json' && format.schema === undefined) {
      warnings.push({ type: 'unsupported', feature: 'responseFormat', details: 'JSON output without a schema is not enforced; give a schema (Output.object) or ask for JSON in the question.' });
    }
    const split = this.settings.splitPrompt
      ? await this.settings.splitPrompt(options.prompt)
      : splitPrompt(options.prompt, {
          contextThresholdChars: this.settings.contextThresholdChars ?? DEFAULT_THRESHOLD,
          defaultQuestion: this.settings.defaultQuestion ?? DEFAULT_QUESTION,
        });
    warnings.push(...(split.warnings ?? []));
    // A JSON response format with a schema becomes the run's answer schema: the FINAL value is
    // validated on the host and the model asked to fix mismatches.
    const schema = format?.type === 'json' ? (format.schema as JsonSchema | undefined) : undefined;
    return { split, warnings, ...(schema === undefined ? {} : { schema }) };
  }

  /** The progress line of each event, per run: core's words, one line per batch of sub-calls. */
  private lineOfRun(): (event: RLMEvent) => string | undefined {
    const progress = this.settings.progress ?? 'reasoning';
    if (progress === 'none') return () => undefined;
    if (progress !== 'reasoning') return progress;
    const narrator = new RLMEventNarrator();
    return (event) => narrator.describe(event);
  }

  private run(
    prepared: { split: PromptSplit; schema?: JsonSchema },
    signal: AbortSignal | undefined,
    onLine: (line: string) => void,
  ): Promise<RLMResult<unknown>> {
    const lineOf = this.lineOfRun();
    return this.rlm.query({
      context: prepared.split.context,
      question: prepared.split.question,
      ...(prepared.schema === undefined ? {} : { schema: prepared.schema }),
      ...(signal === undefined ? {} : { abortSignal: signal }),
      onEvent: (event) => {
        try {
          this.settings.onEvent?.(event);
        } catch {
          // A listener's failure must not break the run.
        }
        const line = lineOf(event);
        if (line !== undefined) onLine(line);
      },
    });
  }

  private metadata(result: RLMResult<unknown>): SharedV4ProviderMetadata {
    const details: RLMProviderMetadata = {
      status: result.status,
      ...(result.statusDetail === undefined ? {} : { statusDetail: result.statusDetail }),
      iterations: result.iterations,
      subcalls: result.subcalls,
      durationMs: result.durationMs,
      ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
    };
    return {
      [this.provider]: {
        ...details,
        usage: JSON.parse(JSON.stringify(result.usage)) as never,
        ...(result.answerValue === undefined ? {} : { answerValue: JSON.parse(JSON.stringify(result.answerValue)) as never }),
      },
    };
  }

  /**
   * Runs the RLM to its end. Rejects with the run's error when it fails (`ModelProviderError`,
   * `SandboxError`…), `RLMAbortError` when aborted, `ContextError` for an unusable prompt.
   * A run stopped by a budget answers with finish reason `length` (raw: the status).
   */
  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    throwIfAborted(options.abortSignal);
    const started = new Date();
    const prepared = await this.prepare(options);
    const lines: string[] = [];
    const result = await this.run(prepared, options.abortSignal, (line) => lines.push(line));
    if (result.status === 'error' || result.status === 'aborted') throw failureOf(result);
    const content: LanguageModelV4Content[] = [];
    if (lines.length > 0) content.push({ type: 'reasoning', text: lines.join('\n') });
    content.push({ type: 'text', text: answerText(result, prepared.schema) });
    return {
      content,
      finishReason: finishReasonOf(result.status),
      usage: toLanguageModelUsage(result.usage.total),
      providerMetadata: this.metadata(result),
      response: { modelId: this.modelId, timestamp: started },
      warnings: prepared.warnings,
    };
  }

  /**
   * Streams the run: progress lines as reasoning deltas while it runs, then the answer as text,
   * then `finish` with the usage of the whole run tree. A failed run emits an `error` part and
   * finishes with reason `error`; an abort errors the stream. Cancelling the stream aborts the
   * run (the sandbox is freed before `cancel()` settles).
   */
  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    throwIfAborted(options.abortSignal);
    const started = new Date();
    const prepared = await this.prepare(options);
    const cancel = new AbortController();
    const signal = options.abortSignal === undefined ? cancel.signal : AbortSignal.any([options.abortSignal, cancel.signal]);
    let pending: Promise<unknown> = Promise.resolve();
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start: (controller) => {
        controller.enqueue({ type: 'stream-start', warnings: prepared.warnings });
        controller.enqueue({ type: 'response-metadata', modelId: this.modelId, timestamp: started });
        let reasoningOpen = false;
        const closeReasoning = () => {
          if (reasoningOpen) controller.enqueue({ type: 'reasoning-end', id: 'rlm-progress' });
          reasoningOpen = false;
        };
        const onLine = (line: string) => {
          if (cancel.signal.aborted) return;
          if (!reasoningOpen) controller.enqueue({ type: 'reasoning-start', id: 'rlm-progress' });
          reasoningOpen = true;
          controller.enqueue({ type: 'reasoning-delta', id: 'rlm-progress', delta: `${line}\n` });
        };
        pending = this.run(prepared, signal, onLine).then(
          (result) => {
            if (cancel.signal.aborted) return;
            closeReasoning();
            if (result.status === 'aborted') return controller.error(failureOf(result));
            if (result.status === 'error') {
              controller.enqueue({ type: 'error', error: failureOf(result) });
            } else {
              const text = answerText(result, prepared.schema);
              controller.enqueue({ type: 'text-start', id: 'rlm-answer' });
              if (text.length > 0) controller.enqueue({ type: 'text-delta', id: 'rlm-answer', delta: text });
              controller.enqueue({ type: 'text-end', id: 'rlm-answer' });
            }
            controller.enqueue({
              type: 'finish',
              finishReason: result.status === 'error' ? { unified: 'error', raw: 'error' } : finishReasonOf(result.status),
              usage: toLanguageModelUsage(result.usage.total),
              providerMetadata: this.metadata(result),
            });
            controller.close();
          },
          (error: unknown) => {
            if (cancel.signal.aborted) return;
            closeReasoning();
            controller.error(error);
          },
        );
      },
      cancel: async () => {
        cancel.abort();
        await pending.catch(() => undefined);
      },
    });
    return { stream };
  }
}

/**
 * Creates an AI SDK language model that answers with a Recursive Language Model, so
 * `generateText({ model: createRLMModel({ settings }), prompt: hugeText })` works over inputs far
 * larger than any model's window. Does no I/O.
 *
 * The long parts of the prompt become the RLM's context and the last user message its question
 * (see `splitPrompt`); usage is the whole run tree's (root calls and sub-calls); details (status,
 * iterations, sub-calls, cost, usage by model) are in `providerMetadata.rlms`.
 *
 * @throws ConfigurationError when both or neither of `rlm` and `settings` are given, the settings
 *   are invalid, or `contextThresholdChars` is not a positive integer.
 */
export function createRLMModel(settings: RLMLanguageModelSettings): RLMLanguageModel {
  const rlm = resolveRLM(settings, { where: 'createRLMModel', example: "{ model: fromAISDK(anthropic('claude-sonnet-4-5')), sandbox: createLocalSandbox() }" });
  const threshold = settings.contextThresholdChars;
  if (threshold !== undefined && (!Number.isInteger(threshold) || threshold <= 0)) {
    throw new ConfigurationError(`\`contextThresholdChars\` must be a positive integer; got ${String(threshold)}.`, { code: 'invalid-setting' });
  }
  return new RLMLanguageModel(rlm, settings);
}
