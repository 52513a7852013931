import {
  ConfigurationError,
  ContextError,
  DEFAULT_SOURCE_EVIDENCE,
  RLMAbortError,
  RLMError,
  resolveRLM,
  throwIfAborted,
  type ContextInput,
  type RLMEvent,
  type RLMResult,
  type RLMSource,
  type RunStatus,
  type SourceEvidence,
} from '@rlms/core';
import { tool, type ModelMessage, type Tool } from 'ai';
import { z } from 'zod/v4';
import { RLMProgressTracker, type RLMProgress } from './rlm-progress.js';
import { ToolSources, isDocumentRecord } from './tool-sources.js';

/** What the calling model passes to the tool. */
export interface RLMToolInput {
  /** The question to answer over the context. */
  readonly question: string;
  /** Names of the documents to search (contexts that are records of named documents); default all. */
  readonly documents?: readonly string[];
}

/** Token totals of a run tree (root calls, sub-calls, child runs). */
export interface RLMToolUsage {
  /** Model calls made. */
  readonly calls: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly totalTokens: number;
  /** Calls whose backend reported no usage (their tokens are not counted). */
  readonly callsWithoutUsage: number;
}

/** The final value of the tool: the RLM's answer with its usage. */
export interface RLMToolAnswer {
  readonly type: 'answer';
  readonly answer: string;
  /** The FINAL value as JSON, when it was not a plain string. */
  readonly answerValue?: unknown;
  /** `completed`, or the budget that stopped the run (`max_iterations`, `budget_exhausted`, `timeout`). */
  readonly status: Exclude<RunStatus, 'error' | 'aborted'>;
  readonly statusDetail?: string;
  readonly iterations: number;
  readonly subcalls: number;
  readonly durationMs: number;
  readonly usage: RLMToolUsage;
  /** Known cost in US dollars, when some call had a price. */
  readonly costUsd?: number;
  /**
   * Names of the documents the run read or cited, in corpus order, when the context is a record of
   * named documents (see {@link RLMToolSettings.sourceEvidence}). Also listed after the answer in
   * what the calling model sees: `[Sources: api.log, web.log]`.
   */
  readonly sources?: readonly string[];
}

/** Every value the tool yields: progress (preliminary results), then one answer (the last value). */
export type RLMToolOutput = RLMProgress | RLMToolAnswer;

/** What `getContext` receives. */
export interface RLMToolContextRequest {
  readonly question: string;
  readonly documents?: readonly string[];
  readonly toolCallId: string;
  /** The messages that led to the tool call. */
  readonly messages: readonly ModelMessage[];
  readonly abortSignal?: AbortSignal;
}

/** Settings of {@link rlmTool}. Give `rlm` or `settings`, and `context` or `getContext`. */
export interface RLMToolSettings extends RLMSource {
  /** The corpus the RLM answers over: a string, an array, or a record of named documents. */
  readonly context?: ContextInput;
  /** Returns the context per call (load it lazily, pick it by question or by conversation). */
  readonly getContext?: (request: RLMToolContextRequest) => ContextInput | Promise<ContextInput>;
  /** Tool description shown to the calling model. Default: describes the RLM and the context's size and documents. */
  readonly description?: string;
  /**
   * Whether the model may restrict the search to named documents (the `documents` input).
   * Default: true for `getContext` and for a context that is a record of named documents.
   */
  readonly documentSelection?: boolean;
  /** Receives every progress snapshot (also under `generateText`, which does not surface preliminary results). */
  readonly onProgress?: (progress: RLMProgress, meta: { readonly toolCallId: string }) => void;
  /** Receives every raw event of the run. Errors it throws are ignored. */
  readonly onEvent?: (event: RLMEvent, meta: { readonly toolCallId: string }) => void;
  /**
   * What marks a document of a record context as a source (`sources`). Default `['subcalls', 'answer']`:
   * its text went into a sub-model prompt or a child run (also when the code stringified it, e.g.
   * `json.dumps(context)`), or the answer quotes it or names it. Add `'output'` to count code output
   * the root model read; `[]` turns sources off.
   */
  readonly sourceEvidence?: readonly SourceEvidence[];
}

const MAX_LISTED_KEYS = 20;

/** Source names written out for the calling model; the rest are counted. */
const MAX_LISTED_SOURCES = 10;

function summarize(context: ContextInput): string {
  if (typeof context === 'string') return `a text of ${context.length.toLocaleString('en-US')} characters`;
  if (Array.isArray(context)) return `a list of ${context.length.toLocaleString('en-US')} items`;
  if (!isDocumentRecord(context)) return `a ${(context as { format: string }).format} document of ${(context as { bytes: Uint8Array }).bytes.byteLength.toLocaleString('en-US')} bytes`;
  const keys = Object.keys(context);
  const listed = keys.slice(0, MAX_LISTED_KEYS).map((key) => JSON.stringify(key)).join(', ');
  return `${keys.length.toLocaleString('en-US')} named documents (${listed}${keys.length > MAX_LISTED_KEYS ? ', …' : ''})`;
}

function defaultDescription(settings: RLMToolSettings, documents: boolean): string {
  const corpus = settings.context === undefined ? 'a large corpus' : summarize(settings.context);
  return [
    `Answers a question over ${corpus} that is too large to read directly.`,
    'It runs a Recursive Language Model: a model that writes Python to search, split and read the corpus with sub-models, so it can take minutes on large inputs.',
    'Ask one specific, self-contained question (the tool does not see this conversation); it returns the answer as text.',
    documents ? 'Pass `documents` to search only some named documents (default: all).' : '',
  ]
    .filter((line) => line.length > 0)
    .join(' ');
}

/** Keeps only the named documents of a record context. @throws ContextError naming the available documents. */
function restrict(context: ContextInput, documents: readonly string[]): ContextInput {
  if (!isDocumentRecord(context)) {
    throw new ContextError('`documents` can only be used when the context is a record of named documents; call the tool again without it.', {
      code: 'documents-not-applicable',
    });
  }
  const unknown = documents.filter((name) => !Object.hasOwn(context, name));
  if (unknown.length > 0) {
    const keys = Object.keys(context);
    const available = keys.slice(0, 50).map((key) => JSON.stringify(key)).join(', ');
    throw new ContextError(
      `Unknown document(s) ${unknown.map((name) => JSON.stringify(name)).join(', ')}. Available: ${available}${keys.length > 50 ? `, … (${keys.length} in all)` : ''}.`,
      { code: 'unknown-documents' },
    );
  }
  return Object.fromEntries(documents.map((name) => [name, context[name]]));
}

function answerOf(result: RLMResult, sources: readonly string[] | undefined): RLMToolAnswer {
  if (result.status === 'aborted') throw new RLMAbortError(result.statusDetail);
  if (result.status === 'error') {
    throw result.error ?? new RLMError(`The RLM run failed: ${result.statusDetail ?? 'unknown error'}`, { code: 'rlm-run-failed' });
  }
  const { total } = result.usage;
  return {
    type: 'answer',
    answer: result.answer,
    ...(result.answerValue === undefined || typeof result.answerValue === 'string' ? {} : { answerValue: result.answerValue }),
    status: result.status,
    ...(result.statusDetail === undefined ? {} : { statusDetail: result.statusDetail }),
    iterations: result.iterations,
    subcalls: result.subcalls,
    durationMs: result.durationMs,
    usage: {
      calls: total.calls,
      inputTokens: total.inputTokens,
      cachedInputTokens: total.cachedInputTokens,
      outputTokens: total.outputTokens,
      reasoningTokens: total.reasoningTokens,
      totalTokens: total.totalTokens,
      callsWithoutUsage: total.callsWithoutUsage,
    },
    ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
    ...(sources === undefined ? {} : { sources }),
  };
}

/** What the calling model reads: the answer, a note when a budget stopped the run, the sources. */
function modelText(output: RLMToolAnswer): string {
  const parts = [output.answer.length > 0 ? output.answer : '(no answer)'];
  if (output.status !== 'completed') parts.push(`[The search stopped early (${output.status}): ${output.statusDetail ?? 'a budget was reached'}.]`);
  const sources = output.sources ?? [];
  if (sources.length > 0) {
    const more = sources.length - MAX_LISTED_SOURCES;
    parts.push(`[Sources: ${sources.slice(0, MAX_LISTED_SOURCES).join(', ')}${more > 0 ? `, and ${more} more` : ''}]`);
  }
  return parts.join('\n\n');
}

/**
 * An AI SDK tool that answers questions over a corpus too large for any prompt by running an RLM.
 * Give it to `generateText` / `streamText` / an `Agent`:
 *
 * ```ts
 * const { text } = await generateText({
 *   model: openai('gpt-4o'),
 *   tools: { searchCorpus: rlmTool({ settings: { model, sandbox }, context: tenMegabytes }) },
 *   stopWhen: stepCountIs(5),
 *   prompt: 'Which services log a timeout after the 3.2 deploy?',
 * });
 * ```
 *
 * `execute` yields progress snapshots ({@link RLMProgress}: iteration, sub-calls, tokens) as
 * preliminary results (`streamText` emits them as `tool-result` parts with `preliminary: true`),
 * then the answer with the run's usage and, for a record context, the names of the documents it
 * used ({@link RLMToolAnswer}); the calling model sees the answer text, followed by those names.
 * The call's `abortSignal` aborts the run (the sandbox is freed), and so does stopping the iteration. A run that fails rejects with its error (`ModelProviderError`,
 * `SandboxError`…), which the AI SDK reports to the model as a tool error; an abort rejects with
 * `RLMAbortError`; unknown `documents` reject with a `ContextError` listing the available ones.
 *
 * @throws ConfigurationError at creation when both or neither of `rlm` / `settings`, or of
 *   `context` / `getContext`, are given, or the settings (or `sourceEvidence`) are invalid.
 */
export function rlmTool(settings: RLMToolSettings): Tool<RLMToolInput, RLMToolOutput> {
  const rlm = resolveRLM(settings, { where: 'rlmTool', example: "{ model: fromAISDK(anthropic('claude-sonnet-4-5')), sandbox: createLocalSandbox() }" });
  if ((settings.context === undefined) === (settings.getContext === undefined)) {
    throw new ConfigurationError('rlmTool: give either `context` (the corpus) or `getContext` (a function returning it), exactly one.', {
      code: 'invalid-setting',
    });
  }
  const documentSelection = settings.documentSelection ?? (settings.getContext !== undefined || isDocumentRecord(settings.context));
  const evidence = settings.sourceEvidence ?? DEFAULT_SOURCE_EVIDENCE;
  if (!Array.isArray(evidence) || evidence.some((kind) => !(['subcalls', 'answer', 'output'] as unknown[]).includes(kind))) {
    throw new ConfigurationError("rlmTool: `sourceEvidence` must list some of 'subcalls', 'answer', 'output'.", { code: 'invalid-setting' });
  }
  const sources = new ToolSources(evidence);
  const question = z
    .string()
    .min(1)
    .describe('The question to answer over the corpus. Self-contained: the tool does not see this conversation.');
  const inputSchema = documentSelection
    ? z.object({
        question,
        documents: z.array(z.string()).optional().describe('Names of the documents to search; omit to search all of them.'),
      })
    : z.object({ question });

  async function* execute(input: RLMToolInput, options: { toolCallId: string; messages: ModelMessage[]; abortSignal?: AbortSignal }) {
    const { toolCallId, abortSignal } = options;
    throwIfAborted(abortSignal);
    const documents = input.documents !== undefined && input.documents.length > 0 ? input.documents : undefined;
    const corpus =
      settings.getContext === undefined
        ? settings.context!
        : await settings.getContext({
            question: input.question,
            ...(documents === undefined ? {} : { documents }),
            toolCallId,
            messages: options.messages,
            ...(abortSignal === undefined ? {} : { abortSignal }),
          });
    const context = documents === undefined ? corpus : restrict(corpus, documents);
    throwIfAborted(abortSignal);

    // Stopping the iteration early (the consumer's `return()`) aborts the run too.
    const stop = new AbortController();
    const signal = abortSignal === undefined ? stop.signal : AbortSignal.any([abortSignal, stop.signal]);
    const tracker = new RLMProgressTracker();
    let changed = false;
    let settled = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      changed = true;
      wake?.();
      wake = undefined;
    };
    const result = rlm.query({
      context,
      question: input.question,
      abortSignal: signal,
      onEvent: (event) => {
        try {
          settings.onEvent?.(event, { toolCallId });
        } catch {
          // A listener's failure must not break the run.
        }
        if (!tracker.update(event)) return;
        if (settings.onProgress !== undefined) {
          try {
            settings.onProgress(tracker.snapshot(), { toolCallId });
          } catch {
            // Same.
          }
        }
        notify();
      },
    });
    result.then(
      () => {
        settled = true;
        notify();
      },
      () => {
        settled = true;
        notify();
      },
    );
    try {
      yield tracker.snapshot();
      while (!settled) {
        if (!changed) await new Promise<void>((resolve) => (wake = resolve));
        // Snapshots coalesce: a slow consumer gets the latest progress, not a backlog.
        if (changed && !settled) {
          changed = false;
          yield tracker.snapshot();
        }
      }
      const finished = await result;
      const used = evidence.length === 0 || finished.status === 'error' || finished.status === 'aborted' ? undefined : sources.find(corpus, context, finished);
      yield answerOf(finished, used);
    } finally {
      if (!settled) {
        stop.abort();
        await result.catch(() => undefined);
      }
    }
  }

  return tool<RLMToolInput, RLMToolOutput, Record<string, never>>({
    description: settings.description ?? defaultDescription(settings, documentSelection),
    inputSchema: inputSchema as unknown as z.ZodType<RLMToolInput>,
    execute,
    toModelOutput: ({ output }) => {
      if (output.type === 'progress') return { type: 'text', value: output.message };
      return { type: 'text', value: modelText(output) };
    },
  });
}
