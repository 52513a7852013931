import {
  ConfigurationError,
  RLMAbortError,
  createRLM,
  isRLM,
  type ContextInput,
  type RLM,
  type RLMEvent,
  type RLMResult,
  type RLMSettings,
  type SourceEvidence,
} from '@rlms/core';
import { dispatchCustomEvent } from '@langchain/core/callbacks/dispatch';
import type { CallbackManagerForChainRun } from '@langchain/core/callbacks/manager';
import type { DocumentInterface } from '@langchain/core/documents';
import { Runnable, RunnableLambda, patchConfig, pickRunnableConfigKeys, type RunnableConfig } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { concat } from '@langchain/core/utils/stream';
import { buildChainContext } from './chain-context.js';
import { RLM_EVENT_PREFIX, customEventPayload, progressLines } from './chain-events.js';
import { normaliseInput, type RLMChainInputLike } from './chain-input.js';
import { ChunkQueue } from './chunk-queue.js';
import type { DocumentKeyFunction } from './document-context.js';
import { RLMChainError } from './rlm-chain-error.js';
import type { RLMChainCallOptions, RLMChainFields, RLMChainOutput } from './rlm-chain-types.js';
import { findSourceDocuments } from './find-source-documents.js';

const EVIDENCE: ReadonlySet<string> = new Set<SourceEvidence>(['subcalls', 'answer', 'output']);

/** The error to throw for an aborted run: the signal's reason when it is an error (as LangChain does), else an `AbortError`. */
function abortFailure(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return new RLMAbortError(typeof reason === 'string' && reason.length > 0 ? reason : undefined, { cause: reason });
}

async function* single<T>(value: T): AsyncGenerator<T> {
  yield value;
}

/**
 * A Recursive Language Model as a LangChain `Runnable`: a drop-in replacement for retrieval chains
 * (`createRetrievalChain`, `RetrievalQAChain`). Instead of retrieving a few chunks, the RLM loads
 * every document into a Python REPL, and its code reads, greps and partitions them, asking sub-models
 * about the parts that matter.
 *
 * - Input: `{ input | question | query, documents?, context?, chat_history? }`, a question string,
 *   a prompt value (`prompt.pipe(chain)`) or messages. Documents bound at construction are always read.
 * - Output: `{ answer, text, result, context, sourceDocuments, sourceKeys, usage, costUsd, status, … }`.
 * - As `createRetrievalChain`'s `combineDocsChain` (which stores its output as `answer`), use
 *   {@link RLMChain.asCombineDocumentsChain}: it returns the answer string.
 * - `invoke`/`batch` run one RLM per input (one sandbox session each, always freed); `stream` yields
 *   `{ progress }` chunks then the full output; every rlms event is a custom event (`rlm:…`) in
 *   callbacks and `streamEvents`; `config.signal` aborts the run and frees its sandbox before
 *   `invoke` rejects.
 *
 * Rejects with `ConfigurationError` (no question, nothing to read), `ContextError` (bad documents),
 * `RLMChainError` (the model or sandbox failed for good), or the abort reason.
 *
 * @example
 * ```ts
 * const chain = new RLMChain({ rlm: { model: fromLangChain(llm), sandbox: createLocalSandbox() }, documents });
 * const { answer, sourceDocuments } = await chain.invoke({ input: 'What changed in the refund policy?' });
 * ```
 */
export class RLMChain extends Runnable<RLMChainInputLike, RLMChainOutput, RLMChainCallOptions> {
  static override lc_name(): string {
    return 'RLMChain';
  }

  override lc_namespace = ['rlms', 'langchain', 'chains'];

  /** The RLM every call runs. */
  readonly rlm: RLM;
  /** The corpus read on every call. */
  readonly documents: readonly DocumentInterface[];
  /** The non-document context read on every call. */
  readonly context: ContextInput | undefined;
  private readonly documentKey: DocumentKeyFunction | undefined;
  private readonly includeMetadata: boolean;
  private readonly sourceEvidence: readonly SourceEvidence[];
  private readonly dispatchEvents: boolean;
  private readonly returnTrajectory: boolean;

  /** Throws `ConfigurationError` when `rlm` is missing or its settings are invalid, or an option has the wrong type. */
  constructor(fields: RLMChainFields) {
    super({});
    if (typeof fields !== 'object' || fields === null || fields.rlm === undefined || fields.rlm === null) {
      throw new ConfigurationError(
        'new RLMChain({ rlm }) needs `rlm`: an RLM from createRLM(settings), or the settings themselves, e.g. { model: fromLangChain(chatModel), sandbox: createLocalSandbox() }.',
        { code: 'missing-rlm' },
      );
    }
    if (fields.name !== undefined) this.name = fields.name;
    // An RLM from createRLM has its methods and its `settings`; anything else is taken as the settings.
    const given = fields.rlm;
    this.rlm = isRLM(given, ['query', 'stream']) && typeof given.settings === 'object' ? given : createRLM(given as RLMSettings);
    if (fields.documents !== undefined && !Array.isArray(fields.documents)) {
      throw new ConfigurationError('`documents` must be an array of LangChain Documents.', { code: 'invalid-setting' });
    }
    this.documents = fields.documents ?? [];
    this.context = fields.context;
    if (fields.documentKey !== undefined && typeof fields.documentKey !== 'function') {
      throw new ConfigurationError('`documentKey` must be a function (document, index) => string.', { code: 'invalid-setting' });
    }
    this.documentKey = fields.documentKey;
    this.includeMetadata = fields.includeMetadata ?? true;
    const evidence = fields.sourceEvidence ?? ['subcalls', 'answer'];
    if (!Array.isArray(evidence)) {
      throw new ConfigurationError("`sourceEvidence` must be an array of 'subcalls', 'answer' and/or 'output'.", { code: 'invalid-setting' });
    }
    const unknown = evidence.find((kind) => !EVIDENCE.has(kind));
    if (unknown !== undefined) {
      throw new ConfigurationError(`Unknown sourceEvidence "${String(unknown)}": use 'subcalls', 'answer' and/or 'output'.`, { code: 'invalid-setting' });
    }
    this.sourceEvidence = [...evidence];
    this.dispatchEvents = fields.dispatchEvents ?? true;
    this.returnTrajectory = fields.returnTrajectory ?? false;
  }

  /** Runs one RLM for one input. `signal` aborts it; `onProgress` receives one line per notable event. */
  private async execute(
    input: RLMChainInputLike,
    config: Partial<RLMChainCallOptions>,
    runManager: CallbackManagerForChainRun | undefined,
    signal: AbortSignal | undefined,
    onProgress?: (line: string) => void,
  ): Promise<RLMChainOutput> {
    const normalised = normaliseInput(input);
    const contexts = [this.context, normalised.context].filter((context): context is ContextInput => context !== undefined);
    const built = buildChainContext(
      { documents: [...this.documents, ...normalised.documents], contexts },
      {
        includeMetadata: this.includeMetadata,
        ...(this.documentKey === undefined ? {} : { documentKey: this.documentKey }),
      },
    );
    const childConfig: RunnableConfig = patchConfig(config, { callbacks: runManager?.getChild() });
    let dispatched: Promise<void> = Promise.resolve();
    const progressLine = progressLines();
    const onEvent = (event: RLMEvent) => {
      if (onProgress !== undefined) {
        const line = progressLine(event);
        if (line !== undefined) onProgress(line);
      }
      // After an abort LangChain has already ended the chain's run: nothing more to report.
      if (this.dispatchEvents && runManager !== undefined && signal?.aborted !== true) {
        const payload = customEventPayload(event);
        // Chained so events arrive in order; awaited before the chain's run ends.
        dispatched = dispatched
          .then(() => dispatchCustomEvent(`${RLM_EVENT_PREFIX}${event.type}`, payload, childConfig))
          .catch(() => undefined);
      }
    };
    // Model calls made during the run (fromLangChain providers) see the chain's child callbacks, so
    // tracing shows them under this run.
    const result: RLMResult = await AsyncLocalStorageProviderSingleton.runWithConfig(pickRunnableConfigKeys({ ...childConfig, signal: undefined }), () =>
      this.rlm.query({
        context: built.context,
        question: normalised.question,
        onEvent,
        ...(signal === undefined ? {} : { abortSignal: signal }),
        ...(config.saveTrajectory === undefined ? {} : { saveTrajectory: config.saveTrajectory }),
      }),
    );
    await dispatched;
    if (result.status === 'aborted') throw abortFailure(signal);
    if (result.status === 'error') throw new RLMChainError(result);
    const sources = findSourceDocuments(built.documents, result.trajectory, result.answer, this.sourceEvidence);
    return {
      ...normalised.echo,
      answer: result.answer,
      text: result.answer,
      result: result.answer,
      ...(result.answerValue === undefined ? {} : { answerValue: result.answerValue }),
      context: sources.documents,
      sourceDocuments: sources.documents,
      sourceKeys: sources.keys,
      usage: result.usage,
      costUsd: result.costUsd,
      status: result.status,
      ...(result.statusDetail === undefined ? {} : { statusDetail: result.statusDetail }),
      iterations: result.iterations,
      subcalls: result.subcalls,
      durationMs: result.durationMs,
      ...(this.returnTrajectory ? { trajectory: result.trajectory } : {}),
    };
  }

  /**
   * Answers one input. Through `_callWithConfig`, so callbacks see the run (with the model calls and
   * `rlm:*` custom events as its children). When `options.signal` fires, the run is aborted and its
   * sandbox freed before the promise rejects with the signal's reason.
   */
  override async invoke(input: RLMChainInputLike, options?: Partial<RLMChainCallOptions>): Promise<RLMChainOutput> {
    let running: Promise<RLMChainOutput> | undefined;
    try {
      return await this._callWithConfig(
        (value: RLMChainInputLike, config?: Partial<RLMChainCallOptions>, runManager?: CallbackManagerForChainRun) => {
          running = this.execute(value, config ?? {}, runManager, config?.signal);
          return running;
        },
        input,
        options,
      );
    } catch (error) {
      // LangChain rejects as soon as the signal fires; wait for the run to stop and free its sandbox.
      if (running !== undefined) await running.catch(() => undefined);
      throw error;
    }
  }

  private async *transformChunks(
    generator: AsyncGenerator<RLMChainInputLike>,
    runManager: CallbackManagerForChainRun | undefined,
    config: Partial<RLMChainCallOptions> | undefined,
  ): AsyncGenerator<RLMChainOutput> {
    let input: RLMChainInputLike | undefined;
    for await (const chunk of generator) {
      if (input === undefined) input = chunk;
      else {
        try {
          input = concat(input, chunk);
        } catch {
          input = chunk;
        }
      }
    }
    if (input === undefined) throw new ConfigurationError('RLMChain.stream() received no input.', { code: 'missing-question' });
    const stop = new AbortController();
    const signal = config?.signal === undefined ? stop.signal : AbortSignal.any([config.signal, stop.signal]);
    const queue = new ChunkQueue<RLMChainOutput>();
    let settled = false;
    const run = this.execute(input, config ?? {}, runManager, signal, (line) => queue.push({ progress: line } as RLMChainOutput));
    run.then(
      (output) => {
        settled = true;
        queue.push(output);
        queue.end();
      },
      (error: unknown) => {
        settled = true;
        queue.fail(error);
      },
    );
    try {
      for await (const chunk of queue) yield chunk;
    } finally {
      if (!settled) {
        // The consumer stopped early: abort the run and wait for its sandbox to be freed.
        stop.abort();
        await run.catch(() => undefined);
      }
    }
  }

  /**
   * This chain as a combine-documents chain: a Runnable that takes the same input and returns the
   * answer **string**, as `createStuffDocumentsChain` does. Use it where LangChain expects one, such as
   * `createRetrievalChain({ retriever, combineDocsChain: chain.asCombineDocumentsChain() })` (from
   * `@langchain/classic/chains/retrieval` in LangChain 1.x), which
   * calls it with `{ input, chat_history, context: Document[] }` and stores what it returns as
   * `answer` (given the chain itself, `answer` would be this chain's whole output object). The
   * retrieved documents are read as the run's documents; the retrieval chain's `context` output stays
   * the retrieved documents (call the chain itself to get `sourceDocuments`). Streaming yields the
   * answer as one chunk when the run ends.
   */
  asCombineDocumentsChain(): Runnable<RLMChainInputLike, string, RLMChainCallOptions> {
    return this.pipe(RunnableLambda.from((output: RLMChainOutput) => output.answer)).withConfig({ runName: `${this.getName()}CombineDocuments` }) as Runnable<
      RLMChainInputLike,
      string,
      RLMChainCallOptions
    >;
  }

  /** Streams `{ progress }` chunks (one line each) while the RLM works, then the full output as the last chunk. */
  override async *_streamIterator(input: RLMChainInputLike, options?: Partial<RLMChainCallOptions>): AsyncGenerator<RLMChainOutput> {
    yield* this._transformStreamWithConfig(single(input), this.transformChunks.bind(this), options);
  }

  /** Streaming inside a sequence: collects the upstream chunks into one input, then streams like `stream()`. */
  override transform(generator: AsyncGenerator<RLMChainInputLike>, options: Partial<RLMChainCallOptions>): AsyncGenerator<RLMChainOutput> {
    return this._transformStreamWithConfig(generator, this.transformChunks.bind(this), options);
  }
}
