import {
  ConfigurationError,
  ContextError,
  createRLM,
  streamEvents,
  type AnswerOf,
  type AnswerSchema,
  type ContextInput,
  type ModelProviderV1,
  type RLM,
  type RLMEvent,
  type RLMSession,
  type RLMSessionOptions,
  type SandboxProviderV1,
} from '@rlms/core';
import type { QueryMode } from './choose-mode.js';
import { decideMode } from './decide-mode.js';
import { engineSettingsOf, NO_SANDBOX, validateEngineSettings } from './engine-settings.js';
import { estimateCost, type CostEstimate } from './estimate-cost.js';
import { loadModel } from './load-model.js';
import { planModel, providerFamily, type ModelPlan, type ModelSpec } from './model-spec.js';
import { TracePrinter } from './progress/trace-printer.js';
import type { QueryOptions, QueryResult, QueryStream, RecursiveLanguageModelSettings } from './recursive-language-model-settings.js';
import { loadSandbox, planSandbox, type SandboxPlan } from './sandbox-spec.js';

const MODES: readonly QueryMode[] = ['auto', 'rlm', 'direct'];

interface ResolvedModels {
  readonly model: ModelProviderV1;
  readonly subModel: ModelProviderV1 | undefined;
  readonly subModels: Readonly<Record<string, ModelProviderV1>>;
}

function isEmptyContext(context: ContextInput): boolean {
  if (typeof context === 'string') return context.length === 0;
  if (Array.isArray(context)) return context.length === 0;
  if (typeof context === 'object' && context !== null && !('bytes' in context && context.bytes instanceof Uint8Array)) {
    return Object.keys(context).length === 0;
  }
  return false;
}

function checkMode(mode: unknown, setting: string): void {
  if (mode !== undefined && !MODES.includes(mode as QueryMode)) {
    throw new ConfigurationError(`\`${setting}\` must be one of ${MODES.map((item) => `"${item}"`).join(', ')}; got ${JSON.stringify(mode)}.`, { code: 'invalid-setting' });
  }
}

/**
 * A Recursive Language Model with batteries included: models and sandboxes by name, an `'auto'`
 * mode that answers small inputs with one direct call, cost estimates, and a verbose trace.
 *
 * ```ts
 * const rlm = new RecursiveLanguageModel({ model: 'gpt-4o', subModel: 'gpt-4o-mini' });
 * const result = await rlm.query({ context: { codebase: await loadDirectory('./src') }, question: 'Trace the auth flow.' });
 * console.log(result.answer, result.usage.total, result.costUsd);
 * await rlm.close();
 * ```
 *
 * The constructor does no I/O. It throws `ConfigurationError` for unknown model or sandbox names,
 * a missing API key (code `'missing-api-key'`), or invalid settings. Packages of the chosen models
 * and sandbox load on the first query; a missing optional one rejects it with `MissingPackageError`
 * ("install @rlms/sandbox-docker").
 */
export class RecursiveLanguageModel implements AsyncDisposable {
  readonly settings: Readonly<RecursiveLanguageModelSettings>;
  private readonly modelPlan: ModelPlan;
  private readonly subModelPlan: ModelPlan | undefined;
  private readonly subModelPlans: Readonly<Record<string, ModelPlan>>;
  private readonly sandboxPlan: SandboxPlan;
  private models: Promise<ResolvedModels> | undefined;
  private sandbox: Promise<SandboxProviderV1> | undefined;
  private engine: RLM | undefined;
  private directEngine: RLM | undefined;

  constructor(settings: RecursiveLanguageModelSettings) {
    if (typeof settings !== 'object' || settings === null) {
      throw new ConfigurationError('RecursiveLanguageModel needs settings, at least `{ model }`, e.g. { model: "gpt-4o" }.', { code: 'invalid-setting' });
    }
    checkMode(settings.mode, 'mode');
    const fraction = settings.directMaxFraction;
    if (fraction !== undefined && !(typeof fraction === 'number' && fraction > 0 && fraction <= 1)) {
      throw new ConfigurationError(`\`directMaxFraction\` must be a number in (0, 1]; got ${String(fraction)}.`, { code: 'invalid-setting' });
    }
    if (settings.model === undefined) {
      throw new ConfigurationError('`model` is required: e.g. "gpt-4o", "anthropic:claude-sonnet-4-5", or { baseURL, model } for a local server.', { code: 'invalid-model' });
    }
    this.settings = settings;
    // `apiKey` belongs to the root model's provider, and to sub-models of that same provider.
    const family = providerFamily(settings.model, settings.baseURL);
    const shared = (spec: ModelSpec) => ({
      ...(settings.apiKey !== undefined && providerFamily(spec, settings.baseURL) === family ? { apiKey: settings.apiKey } : {}),
      ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    });
    this.modelPlan = planModel(settings.model, {
      ...shared(settings.model),
      setting: 'model',
      ...(settings.contextWindowTokens === undefined ? {} : { contextWindowTokens: settings.contextWindowTokens }),
    });
    this.subModelPlan = settings.subModel === undefined ? undefined : planModel(settings.subModel, { ...shared(settings.subModel), setting: 'subModel' });
    this.subModelPlans = Object.fromEntries(
      Object.entries(settings.subModels ?? {}).map(([name, spec]) => [name, planModel(spec, { ...shared(spec), setting: `subModels.${name}` })]),
    );
    validateEngineSettings(settings);
    this.sandboxPlan = planSandbox(settings.sandbox);
  }

  /** Name of the root model as given (`'gpt-4o'`, `'anthropic:…'`, `'mock:mock-model'`). */
  get modelName(): string {
    return this.modelPlan.label;
  }

  /** Name of the sandbox that RLM runs use. */
  get sandboxName(): string {
    return this.sandboxPlan.name;
  }

  /**
   * Answers `question` over `context`, by an RLM run or one direct call (see `mode`). Resolves for
   * every outcome of the run (`result.status`); rejects for invalid input (`ContextError`,
   * `ConfigurationError`), a missing package (`MissingPackageError`), or a trajectory that cannot be written.
   */
  async query<S extends AnswerSchema | undefined = undefined>(options: QueryOptions<S>): Promise<QueryResult<AnswerOf<S>>> {
    const verbose = this.settings.verbose === true ? new TracePrinter(process.stderr) : undefined;
    const onEvent = this.withTrace(verbose, options.onEvent);
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('query() needs `{ context, question }`.', { code: 'missing-question' });
    if (typeof options.question !== 'string' || options.question.trim() === '') {
      throw new ConfigurationError('`question` must be a non-empty string.', { code: 'missing-question' });
    }
    if (options.context === undefined || options.context === null) {
      throw new ContextError('No context given: pass `context` as a string, an array, or a record of named documents.', { code: 'context-missing' });
    }
    if (isEmptyContext(options.context)) {
      throw new ContextError('The context is empty: pass the text, records or documents to answer from (check that your files or loaders returned something).', {
        code: 'context-empty',
      });
    }
    checkMode(options.mode, 'mode');
    const requested = options.mode ?? this.settings.mode ?? 'auto';
    if (options.schema !== undefined && requested === 'direct') {
      throw new ConfigurationError('A `schema` needs an RLM run (the REPL validates structured answers): use mode "rlm" or "auto", or drop `schema`.', {
        code: 'invalid-setting',
      });
    }
    const models = await this.resolveModels();
    const choice =
      options.schema === undefined
        ? await decideMode({
            requested,
            context: options.context,
            question: options.question,
            model: models.model,
            modelRef: this.modelPlan.modelRef,
            modelName: this.modelPlan.label,
            settings: this.settings,
          })
        : { mode: 'rlm' as const, reason: 'a `schema` was given: structured answers are built and validated in the REPL' };
    if (verbose !== undefined) process.stderr.write(`[rlms] mode: ${choice.mode} (${choice.reason})\n`);
    // The policy decided the mode; the engine runs either on the same run tree.
    const engine = choice.mode === 'direct' ? this.resolveDirectEngine(models) : await this.resolveEngine(models);
    const result = await engine.query<S>({ ...options, ...(onEvent === undefined ? {} : { onEvent }), mode: choice.mode });
    return { ...result, mode: choice.mode, modeReason: choice.reason };
  }

  /** Like `query`, as an async iterable of events ending with `run-end`; `result` resolves with the result. */
  stream<S extends AnswerSchema | undefined = undefined>(options: QueryOptions<S>): QueryStream<AnswerOf<S>> {
    return streamEvents((onEvent) => this.query<S>({ ...options, onEvent }), options.onEvent);
  }

  /**
   * Loads the packages of the models and the sandbox and creates their providers now rather than at
   * the first query, so a missing package (`MissingPackageError`) shows before a long context is
   * loaded. Does no network I/O and starts no sandbox session.
   */
  async ready(): Promise<void> {
    await this.resolveModels();
    await this.resolveSandbox();
  }

  /**
   * Starts one sandbox session and closes it, so the first query does not pay the sandbox's start-up
   * (Pyodide boots CPython, takes its memory snapshot and fills its warm pool). `rlms serve` calls it
   * before it says it is listening. Resolves with the milliseconds it took.
   *
   * @throws what `ready()` throws, or the sandbox's `SandboxError` when it cannot start.
   */
  async warmUp(options: { readonly abortSignal?: AbortSignal } = {}): Promise<number> {
    const started = performance.now();
    const sandbox = await this.resolveSandbox();
    const session = await sandbox.createSession({
      host: { call: () => Promise.reject(new Error('the warm-up session makes no host calls')) },
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    });
    await session.destroy();
    return Math.round(performance.now() - started);
  }

  /**
   * Opens a multi-turn RLM session over one context: one sandbox and one REPL namespace for every
   * question, earlier turns available in the REPL as `history` (see `createRLM(...).session`). No
   * I/O until the first question; close it with `session.close()`.
   */
  session(options: RLMSessionOptions): RLMSession {
    let opened: RLMSession | undefined;
    let opening: Promise<RLMSession> | undefined;
    let closed = false;
    const open = (): Promise<RLMSession> => {
      if (closed) return Promise.reject(new ConfigurationError('This session is closed: open a new one with rlm.session({ context }).', { code: 'session-closed' }));
      opening ??= (async () => {
        const engine = await this.resolveEngine(await this.resolveModels());
        const verbose = this.settings.verbose === true ? new TracePrinter(process.stderr) : undefined;
        const onEvent = this.withTrace(verbose, options.onEvent);
        opened = engine.session({ ...options, ...(onEvent === undefined ? {} : { onEvent }) });
        return opened;
      })();
      opening.catch(() => {
        opening = undefined;
      });
      return opening;
    };
    return {
      get history() {
        return opened?.history ?? [];
      },
      query: async (query) => (await open()).query(query),
      close: async () => {
        closed = true;
        const session = await opening?.catch(() => undefined);
        await session?.close();
      },
    };
  }

  /** Estimates tokens, fit and cost of a query over `context` with this instance's models (see `estimateCost`). */
  async estimate(options: { readonly context: ContextInput; readonly question?: string }): Promise<CostEstimate> {
    const models = await this.resolveModels();
    const window = this.settings.contextWindowTokens ?? models.model.contextWindowTokens;
    const subWindow = (models.subModel ?? models.model).contextWindowTokens;
    return estimateCost({
      context: options.context,
      model: this.modelPlan.modelRef,
      subModel: (this.subModelPlan ?? this.modelPlan).modelRef,
      ...(options.question === undefined ? {} : { question: options.question }),
      ...(window === undefined ? {} : { contextWindowTokens: window }),
      ...(subWindow === undefined ? {} : { subModelContextWindowTokens: subWindow }),
      ...(this.settings.pricing === undefined ? {} : { pricing: this.settings.pricing }),
      ...(this.settings.directMaxFraction === undefined ? {} : { directMaxFraction: this.settings.directMaxFraction }),
      ...(this.settings.importModule === undefined ? {} : { importer: this.settings.importModule }),
    });
  }

  /** Frees the sandbox provider's shared resources (warm workers, pools) when this instance created it. Idempotent; later queries start it again. */
  async close(): Promise<void> {
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    this.engine = undefined;
    this.directEngine = undefined;
    if (sandbox === undefined || this.sandboxPlan.kind === 'instance') return;
    const provider = await sandbox.catch(() => undefined);
    await provider?.close?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private withTrace(trace: TracePrinter | undefined, onEvent: ((event: RLMEvent) => void) | undefined): ((event: RLMEvent) => void) | undefined {
    if (trace === undefined) return onEvent;
    return (event) => {
      trace.onEvent(event);
      onEvent?.(event);
    };
  }

  private resolveModels(): Promise<ResolvedModels> {
    if (this.models === undefined) {
      const importer = this.settings.importModule;
      const load = (plan: ModelPlan) => loadModel(plan, importer);
      this.models = (async () => {
        const [model, subModel, named] = await Promise.all([
          load(this.modelPlan),
          this.subModelPlan === undefined ? undefined : load(this.subModelPlan),
          Promise.all(Object.entries(this.subModelPlans).map(async ([name, plan]) => [name, await load(plan)] as const)),
        ]);
        return { model, subModel, subModels: Object.fromEntries(named) };
      })();
      // A failure (missing package) is not cached: installing it and retrying works.
      this.models.catch(() => {
        this.models = undefined;
      });
    }
    return this.models;
  }

  private resolveSandbox(): Promise<SandboxProviderV1> {
    if (this.sandbox === undefined) {
      this.sandbox = loadSandbox(this.sandboxPlan, this.settings.sandboxSettings, this.settings.importModule);
      this.sandbox.catch(() => {
        this.sandbox = undefined;
      });
    }
    return this.sandbox;
  }

  /** The engine of direct runs: the root model only, no sandbox (a direct run opens no session, so no sandbox package loads). */
  private resolveDirectEngine(models: ResolvedModels): RLM {
    this.directEngine ??= createRLM({ ...engineSettingsOf(this.settings), model: models.model, sandbox: NO_SANDBOX });
    return this.directEngine;
  }

  private async resolveEngine(models: ResolvedModels): Promise<RLM> {
    const sandbox = await this.resolveSandbox();
    if (this.engine === undefined) {
      const engineSettings = engineSettingsOf(this.settings);
      const paper = engineSettings.promptStyle === undefined && /rlm-qwen/i.test(this.modelPlan.modelRef);
      this.engine = createRLM({
        ...engineSettings,
        ...(paper ? { promptStyle: 'paper' as const } : {}),
        model: models.model,
        ...(models.subModel === undefined ? {} : { subModel: models.subModel }),
        ...(Object.keys(models.subModels).length === 0 ? {} : { subModels: models.subModels }),
        sandbox,
      });
    }
    return this.engine;
  }
}
