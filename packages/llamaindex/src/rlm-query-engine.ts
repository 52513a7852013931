import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ConfigurationError,
  DocumentExcerptIndex,
  RLMAbortError,
  RLMEventNarrator,
  type RLM,
  type RLMResult,
  type SourceEvidence,
} from '@rlms/core';
import { BaseQueryEngine, type QueryType } from '@llamaindex/core/query-engine';
import { EngineResponse, type NodeWithScore } from '@llamaindex/core/schema';
import type { FunctionTool } from '@llamaindex/core/tools';
import { textOfContent } from './llama-index-model-provider.js';
import { contextOf, toNamedDocuments, type NamedDocument, type RLMDocumentsInput } from './named-documents.js';
import { RLMQueryEngineError } from './rlm-query-engine-error.js';
import { createRLMQueryTool, type RLMQueryToolInput, type RLMQueryToolOptions } from './rlm-query-tool.js';
import { resolveEngineRLM } from './resolve-engine-rlm.js';
import {
  toResponseMetadata,
  type RLMNonStreamingQueryParams,
  type RLMProgressMetadata,
  type RLMQueryCallOptions,
  type RLMQueryEngineOptions,
  type RLMQueryEngineSettings,
  type RLMStreamingQueryParams,
} from './rlm-query-engine-types.js';

const SOURCE_EVIDENCE: readonly SourceEvidence[] = ['subcalls', 'answer', 'output'];

function questionOf(query: QueryType): string {
  const text = typeof query === 'string' ? query : textOfContent(query?.query);
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw new ConfigurationError('RLMQueryEngine.query needs a non-empty `query` (a string or a QueryBundle with text).', {
      code: 'missing-question',
    });
  }
  return text;
}

/** Splits an answer into word-sized deltas that concatenate back to it exactly. */
function answerDeltas(answer: string): string[] {
  return answer.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * A LlamaIndex query engine that answers with a Recursive Language Model: the documents are loaded
 * as a `context` dict (name → text) in a Python REPL, the root model writes code to search them and
 * calls sub-models on the parts it needs. Unlike a retriever, nothing is dropped before the model
 * decides what to read, and `sourceNodes` are the documents the run actually read or cited.
 *
 * - `query({ query })` resolves with an `EngineResponse` (answer, `sourceNodes`, `metadata.rlm`).
 * - `query({ query, stream: true })` yields progress chunks (empty `delta`, `metadata.rlmProgress`),
 *   then the answer as word deltas, each with the `sourceNodes` and `metadata.rlm`.
 * - Per-query extras: `abortSignal`, `onEvent`, `saveTrajectory`.
 *
 * A run that fails for good rejects with `RLMQueryEngineError`; an aborted one with an
 * `AbortError`-named `RLMAbortError`. A run stopped early by a budget still answers, with
 * `metadata.rlm.status` saying why. Plugs into `QueryEngineTool`, agents, and `engine.asTool()`.
 *
 * @example
 * ```ts
 * Settings.llm = new OpenAI({ model: 'gpt-4o-mini' });  // or settings: { model: fromLlamaIndex(llm) }
 * const engine = RLMQueryEngine.fromDocuments(documents); // Pyodide sandbox, or settings: { sandbox }
 * const response = await engine.query({ query: 'Which services changed their retry policy?' });
 * console.log(response.toString(), response.sourceNodes?.map((source) => source.node.id_));
 * ```
 */
export class RLMQueryEngine extends BaseQueryEngine {
  /** The RLM answering the queries. */
  readonly rlm: RLM;
  /** The documents, in order, with their names in the `context` dict. */
  readonly documents: readonly NamedDocument[];
  private readonly context: Record<string, string>;
  private readonly keyIndex: ReadonlyMap<string, number>;
  private readonly sourceEvidence: readonly SourceEvidence[];
  private readonly streamProgress: boolean;
  private readonly verifyQuotes: boolean;
  private readonly calls = new AsyncLocalStorage<RLMQueryCallOptions>();
  private excerptIndex: DocumentExcerptIndex | undefined;

  /**
   * Does no I/O: sandbox sessions are created per query and always destroyed. Without `rlm`, the
   * RLM is created from `settings`, whose `model` defaults to LlamaIndex's `Settings.llm` (read now)
   * and `sandbox` to Pyodide (`@rlms/sandbox-pyodide`, loaded at the first query).
   * @throws ConfigurationError for invalid `rlm`/`settings` or `sourceEvidence`, both `rlm` and
   *   `settings`, no model and no `Settings.llm`, or no sandbox and no `@rlms/sandbox-pyodide`
   *   installed (`code: 'missing-sandbox'`; the message says which sandbox to pass instead).
   * @throws ContextError for an empty or invalid `documents`.
   */
  constructor(options: RLMQueryEngineOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('new RLMQueryEngine(options) needs { documents } (and optionally `rlm` or `settings`).', { code: 'missing-setting' });
    }
    const evidence = options.sourceEvidence ?? ['subcalls', 'answer'];
    if (!Array.isArray(evidence) || evidence.some((kind) => !SOURCE_EVIDENCE.includes(kind))) {
      throw new ConfigurationError(`RLMQueryEngine: \`sourceEvidence\` must list some of ${SOURCE_EVIDENCE.map((kind) => `'${kind}'`).join(', ')}.`, {
        code: 'invalid-setting',
      });
    }
    this.rlm = resolveEngineRLM(options, 'RLMQueryEngine');
    this.documents = toNamedDocuments(options.documents, options);
    this.context = contextOf(this.documents);
    this.keyIndex = new Map(this.documents.map((document, index) => [document.key, index]));
    this.sourceEvidence = [...evidence];
    this.streamProgress = options.streamProgress ?? true;
    this.verifyQuotes = options.verifyQuotes ?? false;
  }

  /**
   * Builds an engine over LlamaIndex documents/nodes (e.g. from a reader or `SimpleDirectoryReader`)
   * or a record of named texts (`{ 'handbook.md': '…' }`). Same errors as the constructor.
   */
  static fromDocuments(documents: RLMDocumentsInput, settings: RLMQueryEngineSettings = {}): RLMQueryEngine {
    return new RLMQueryEngine({ ...settings, documents });
  }

  /** Runs the RLM over the documents. See the class documentation for the response shapes. */
  override query(params: RLMStreamingQueryParams): Promise<AsyncIterable<EngineResponse>>;
  override query(params: RLMNonStreamingQueryParams): Promise<EngineResponse>;
  override query(params: RLMStreamingQueryParams | RLMNonStreamingQueryParams): Promise<EngineResponse | AsyncIterable<EngineResponse>> {
    const { abortSignal, onEvent, saveTrajectory } = params ?? {};
    const call: RLMQueryCallOptions = {
      ...(abortSignal === undefined ? {} : { abortSignal }),
      ...(onEvent === undefined ? {} : { onEvent }),
      ...(saveTrajectory === undefined ? {} : { saveTrajectory }),
    };
    // LlamaIndex's query() (events, instrumentation) only hands `query` and `stream` to _query.
    return this.calls.run(call, () => super.query(params as RLMNonStreamingQueryParams));
  }

  /** @internal Called by `query()`; use `query()`. */
  override async _query(query: QueryType, stream?: boolean): Promise<EngineResponse | AsyncIterable<EngineResponse>> {
    const question = questionOf(query);
    const call = this.calls.getStore() ?? {};
    if (stream === true) return this.streamAnswer(question, call);
    const result = await this.rlm.query({ context: this.context, question, verifyQuotes: this.verifyQuotes, ...call });
    return this.toResponse(result, call);
  }

  /** Throws for `error`/`aborted` runs; otherwise the answer with its sources. */
  private toResponse(result: RLMResult, call: RLMQueryCallOptions): EngineResponse {
    const { sourceNodes, metadata } = this.finish(result, call);
    const response = EngineResponse.fromResponse(result.answer, false, sourceNodes);
    response.metadata = { rlm: metadata };
    return response;
  }

  private finish(result: RLMResult, call: RLMQueryCallOptions) {
    if (result.status === 'aborted') {
      throw new RLMAbortError(result.statusDetail ?? 'The RLM query was aborted.', { cause: call.abortSignal?.reason ?? result.error });
    }
    if (result.status === 'error') throw new RLMQueryEngineError(result);
    const found = this.sources(result);
    const sourceNodes: NodeWithScore[] = found.map((index) => ({ node: this.documents[index]!.node }));
    const metadata = toResponseMetadata(
      result,
      found.map((index) => this.documents[index]!.key),
    );
    return { sourceNodes, metadata };
  }

  /** Indexes of the documents the run read or cited, in document order (the excerpt index is built once per engine). */
  private sources(result: RLMResult): number[] {
    this.excerptIndex ??= new DocumentExcerptIndex(this.documents);
    const found = new Set(this.excerptIndex.findUsedDocuments(result.trajectory, result.answer, this.sourceEvidence));
    for (const citation of result.citations?.citations ?? []) {
      const index = this.keyIndex.get(citation.documentKey);
      if (index !== undefined) found.add(index);
    }
    return [...found].sort((a, b) => a - b);
  }

  private async *streamAnswer(question: string, call: RLMQueryCallOptions): AsyncGenerator<EngineResponse> {
    const stop = new AbortController();
    const abortSignal = call.abortSignal === undefined ? stop.signal : AbortSignal.any([call.abortSignal, stop.signal]);
    const run = this.rlm.stream({ context: this.context, question, verifyQuotes: this.verifyQuotes, ...call, abortSignal });
    let finished = false;
    const narrator = new RLMEventNarrator();
    try {
      for await (const event of run) {
        if (!this.streamProgress) continue;
        const message = narrator.describe(event);
        if (message === undefined) continue;
        const chunk = EngineResponse.fromChatResponseChunk({ delta: '', raw: event });
        const progress: RLMProgressMetadata = { message, event };
        chunk.metadata = { rlmProgress: progress };
        yield chunk;
      }
      const result = await run.result;
      finished = true;
      const { sourceNodes, metadata } = this.finish(result, call);
      const deltas = answerDeltas(result.answer);
      for (const delta of deltas.length === 0 ? [''] : deltas) {
        const chunk = EngineResponse.fromChatResponseChunk({ delta, raw: null }, sourceNodes);
        chunk.metadata = { rlm: metadata };
        yield chunk;
      }
    } finally {
      if (!finished) {
        // The consumer stopped early (or iteration failed): end the run and free its sandbox first.
        stop.abort(new RLMAbortError('The streamed query was closed before it finished.'));
        await run.result.catch(() => undefined);
      }
    }
  }

  /**
   * This engine as an agent tool (a LlamaIndex `FunctionTool`); see {@link createRLMQueryTool}.
   * @throws ConfigurationError for an invalid `name`.
   */
  asTool(options: RLMQueryToolOptions = {}): FunctionTool<RLMQueryToolInput, Promise<string>> {
    return createRLMQueryTool(this, options);
  }

  /**
   * This engine has no retrieval step: it reads the documents itself at query time.
   * @throws ConfigurationError always; use `query()`.
   */
  override async retrieve(): Promise<NodeWithScore[]> {
    throw new ConfigurationError('RLMQueryEngine does not retrieve: the RLM reads the documents itself. Use query(); its sourceNodes are the documents it used.', {
      code: 'unsupported',
    });
  }

  protected _getPrompts(): Record<string, never> {
    return {};
  }

  protected _updatePrompts(): void {
    // The RLM's prompts are set through RLMSettings.systemPrompt / promptStyle.
  }

  protected _getPromptModules(): Record<string, never> {
    return {};
  }
}
