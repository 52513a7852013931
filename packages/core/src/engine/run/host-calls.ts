import { ModelProviderError, RLMAbortError, isAbortError } from '../../errors/errors.js';
import type { HostBridge, HostCall } from '../../spec/host-bridge.js';
import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { TokenUsage } from '../../spec/usage.js';
import { BudgetStop, callModel } from '../model/model-call.js';
import { modelKey, type RunTree } from './run-tree.js';
import { checkSchema } from '../schema/schema.js';
import type { UsageTracker } from '../accounting/usage.js';
import type { Trajectory, TrajectorySubcall } from '../record/trajectory.js';
import type { LimitLog } from '../accounting/limit-log.js';
import { jsonFitsWithin, type TrajectoryTexts } from '../record/trajectory-text.js';
import { REFUSED_PROMPT_PREVIEW_CHARS, checkPromptSize, pickSubModel } from './subcall-guards.js';
import { toWireValue } from '../../protocol/wire-conversions.js';

/** An error raised in Python as `pythonType` (a builtin exception name). */
export class HostCallError extends Error {
  constructor(message: string, readonly pythonType: string = 'RuntimeError') {
    super(message);
    this.name = 'HostCallError';
  }
}

/** What a run lends its host bridge. */
export interface HostCallScope {
  readonly tree: RunTree;
  readonly runId: string;
  /** Depth of the run whose REPL makes the calls. */
  readonly depth: number;
  /** Where sub-calls of the current step are recorded. */
  record(subcall: TrajectorySubcall): void;
  /** The run's own usage tracker (its records reach the tree's). */
  readonly usage: UsageTracker;
  /** Where refusals by a limit are reported (the run's log, which feeds its ancestors'). */
  readonly limits: LimitLog;
  /** Caps the texts of recorded sub-calls (`maxTrajectoryTextChars`). */
  readonly texts: TrajectoryTexts;
  /** Counts one sub-call for the run and its ancestors. */
  countSubcall(): void;
  /** Starts a child run (depth + 1) and returns its answer and trajectory. */
  startChild(prompt: string, context: unknown, signal: AbortSignal, model?: ModelProviderV1): Promise<{ answer: string; trajectory: Trajectory; error?: string }>;
}

function combine(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b === undefined ? a : AbortSignal.any([a, b]);
}

function describe(error: unknown): string {
  if (error instanceof BudgetStop) return `rlms budget exhausted: ${error.message}. Stop making sub-calls and finish with FINAL using what you have.`;
  if (ModelProviderError.isInstance(error)) return `sub-model call failed: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Creates the HostBridge a run hands to its sandbox session. */
export function createHostBridge(scope: HostCallScope): HostBridge {
  const { tree } = scope;
  const settings = tree.settings;

  /**
   * Lets a sub-call start, or raises in Python: past `maxSubcalls` (reported, and the tree stops),
   * or once the tree has stopped. A refused call is not recorded one by one (a loop of refusals
   * must not grow the trajectory); the result's status and `limitsReached` say what happened.
   */
  function admit(): void {
    const admitted = tree.budget.admitSubcall();
    if (admitted === true) return;
    if (admitted === 'aborted') throw new RLMAbortError();
    if (admitted === 'maxSubcalls') {
      scope.limits.record('maxSubcalls', settings.maxSubcalls);
      throw new HostCallError(
        `rlms limit reached: this run tree has made maxSubcalls (${settings.maxSubcalls.toLocaleString('en-US')}) sub-calls (each prompt of a batch and each tool call counts), so this one was not made. Stop making sub-calls and finish with FINAL using what you have.`,
      );
    }
    throw new HostCallError(describe(new BudgetStop(admitted, tree.budget.detail)));
  }

  /**
   * Starts a sub-call's record. It is placed in the trajectory now, so a batch is recorded in prompt
   * order whatever order its calls finish in; the returned function fills it in when the call ends.
   */
  function begin(op: HostCall['op'], target: string, promptChars: number, batchIndex?: number) {
    const id = tree.nextId('call');
    const startedAt = Date.now();
    const entry: { -readonly [K in keyof TrajectorySubcall]: TrajectorySubcall[K] } = {
      id,
      op,
      target,
      input: '',
      output: '',
      startedAt,
      durationMs: 0,
      ...(batchIndex === undefined ? {} : { batchIndex }),
    };
    scope.record(entry);
    tree.subcalls++;
    scope.countSubcall();
    tree.inFlight++;
    tree.emit({ type: 'subcall-start', runId: scope.runId, depth: scope.depth, timestamp: startedAt, subcallId: id, op, target, promptChars, inFlight: tree.inFlight });
    return Object.assign((input: string, output: string, extra: { error?: string; usage?: TokenUsage; costUsd?: number; child?: Trajectory }) => {
      tree.inFlight--;
      const durationMs = Date.now() - startedAt;
      const { texts } = scope;
      Object.assign(entry, {
        input: texts.text(input),
        output: texts.text(output),
        durationMs,
        ...extra,
        ...(extra.error === undefined ? {} : { error: texts.text(extra.error) }),
      });
      tree.emit({
        type: 'subcall-end',
        runId: scope.runId,
        depth: scope.depth,
        timestamp: Date.now(),
        subcallId: id,
        op,
        target,
        durationMs,
        inFlight: tree.inFlight,
        totalUsage: tree.usage.snapshot(),
        ...(extra.usage === undefined ? {} : { usage: extra.usage }),
        ...(extra.costUsd === undefined ? {} : { costUsd: extra.costUsd }),
        ...(extra.error === undefined ? {} : { error: extra.error }),
      });
    }, { id });
  }

  /** Counts and records a sub-call refused for `maxSubcallPromptChars`, then raises `ValueError` with `message`. */
  function refuse(message: string, op: HostCall['op'], target: string, prompt: string): never {
    admit();
    const end = begin(op, target, prompt.length);
    scope.limits.record('maxSubcallPromptChars', settings.maxSubcallPromptChars);
    end(scope.texts.preview(prompt, REFUSED_PROMPT_PREVIEW_CHARS), '', { error: `prompt longer than maxSubcallPromptChars (${settings.maxSubcallPromptChars.toLocaleString('en-US')} characters)` });
    throw new HostCallError(message, 'ValueError');
  }

  /** One sub-model call. Returns the text, or an explanatory error string for window overflows. Throws HostCallError otherwise. */
  async function llm(prompt: string, modelName: string | undefined, signal: AbortSignal, op: HostCall['op'] = 'llm_query', batchIndex?: number): Promise<string> {
    if (typeof prompt !== 'string') throw new HostCallError('prompt must be a str', 'TypeError');
    const model = pickSubModel(settings, modelName, op);
    if (typeof model === 'string') throw new HostCallError(model, 'ValueError');
    admit();
    const end = begin(op, modelKey(model), prompt.length, batchIndex);
    const refusal = checkPromptSize(settings, model, prompt, op);
    if (refusal !== undefined) {
      scope.limits.record(refusal.setting, refusal.limit);
      const preview = scope.texts.preview(prompt, REFUSED_PROMPT_PREVIEW_CHARS);
      end(preview, refusal.delivery === 'return' ? refusal.message : '', { error: refusal.error });
      if (refusal.delivery === 'return') return refusal.message;
      throw new HostCallError(refusal.message, 'ValueError');
    }
    let release: (() => void) | undefined;
    try {
      release = await tree.semaphore.acquire(signal);
      const outcome = await callModel(tree, {
        model,
        messages: [{ role: 'user', content: prompt }],
        depth: scope.depth + 1,
        signal,
        usage: scope.usage,
        origin: { runId: scope.runId, depth: scope.depth, subcallId: end.id },
        ...(settings.maxSubcallOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxSubcallOutputTokens }),
      });
      end(prompt, outcome.response.text, {
        usage: outcome.response.usage,
        ...(outcome.costUsd === undefined ? {} : { costUsd: outcome.costUsd }),
      });
      return outcome.response.text;
    } catch (error) {
      const message = describe(error);
      end(prompt, '', { error: message });
      if (signal.aborted || isAbortError(error)) throw new RLMAbortError(undefined, { cause: error });
      throw new HostCallError(message, error instanceof HostCallError ? error.pythonType : 'RuntimeError');
    } finally {
      release?.();
    }
  }

  async function rlm(prompt: string, context: unknown, signal: AbortSignal, batchIndex?: number, modelName?: string): Promise<string> {
    if (typeof prompt !== 'string') throw new HostCallError('prompt must be a str', 'TypeError');
    const limit = settings.maxSubcallPromptChars;
    // `model=` names a configured sub-model: the child's root model (or the plain call's at maxDepth).
    const childModel = modelName === undefined ? undefined : pickSubModel(settings, modelName, 'rlm_query');
    if (typeof childModel === 'string') throw new HostCallError(childModel, 'ValueError');
    if (scope.depth + 1 >= settings.maxDepth) {
      // A plain sub-call sends prompt and context as one prompt: never build one far past the limit.
      if (context !== undefined && typeof context !== 'string' && !jsonFitsWithin(context, limit)) {
        refuse(`rlm_query(): at maxDepth the prompt and its context are sent as one prompt, and this context alone is more than maxSubcallPromptChars (${limit.toLocaleString('en-US')}) characters as JSON, so it was not sent. Pass smaller pieces of the context.`, 'rlm_query', 'sub-model', prompt);
      }
      const text = context === undefined ? prompt : `${prompt}\n\nContext:\n${typeof context === 'string' ? context : JSON.stringify(context, null, 1)}`;
      return llm(text, modelName, signal, 'rlm_query', batchIndex);
    }
    if (prompt.length > limit) {
      refuse(`rlm_query(): this prompt has ${prompt.length.toLocaleString('en-US')} characters, more than maxSubcallPromptChars (${limit.toLocaleString('en-US')}), so no child run was started. Pass the long text as context= and keep the prompt short.`, 'rlm_query', `child@${scope.depth + 1}`, prompt);
    }
    admit();
    const end = begin('rlm_query', `child@${scope.depth + 1}`, prompt.length, batchIndex);
    let release: (() => void) | undefined;
    try {
      release = await tree.childSlots(scope.depth + 1).acquire(signal);
      const child = await scope.startChild(prompt, context === undefined ? prompt : context, signal, childModel);
      end(prompt, child.answer, { child: child.trajectory, ...(child.error === undefined ? {} : { error: child.error }) });
      if (child.error !== undefined && child.answer === '') throw new HostCallError(`child RLM failed: ${child.error}`);
      return child.answer;
    } catch (error) {
      if (error instanceof HostCallError) throw error;
      const message = describe(error);
      end(prompt, '', { error: message });
      if (signal.aborted || isAbortError(error)) throw new RLMAbortError(undefined, { cause: error });
      throw new HostCallError(message);
    } finally {
      release?.();
    }
  }

  async function batch<T>(items: readonly T[], run: (item: T, index: number) => Promise<string>, onProgress: (() => void) | undefined): Promise<string[]> {
    const results = await Promise.allSettled(
      items.map(async (item, index) => {
        try {
          return await run(item, index);
        } finally {
          onProgress?.();
        }
      }),
    );
    return results.map((result) => {
      if (result.status === 'fulfilled') return result.value;
      if (isAbortError(result.reason)) throw result.reason;
      return `Error: ${describe(result.reason)}`;
    });
  }

  async function tool(name: string, args: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<unknown> {
    const definition = Object.hasOwn(settings.tools, name) ? settings.tools[name] : undefined;
    if (definition === undefined) throw new HostCallError(`Unknown tool "${name}".`, 'NameError');
    admit();
    const input = JSON.stringify(args);
    const end = begin('tool', name, input.length);
    let validated: unknown = { ...args };
    if (definition.parameters !== undefined) {
      const check = await checkSchema(definition.parameters, validated);
      if (!check.ok) {
        const message = `${name}() got invalid arguments: ${check.issues.join('; ')}`;
        end(input, '', { error: message });
        throw new HostCallError(message, 'TypeError');
      }
      validated = check.value;
    }
    try {
      const value = await definition.execute(validated, { abortSignal: signal });
      const output = toWireValue(value, `${name}() result`);
      end(input, typeof output === 'string' ? output : JSON.stringify(output) ?? 'null', {});
      return output;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      end(input, '', { error: message });
      if (signal.aborted) throw new RLMAbortError(undefined, { cause: error });
      const pythonType =
        typeof (error as { pythonType?: unknown })?.pythonType === 'string' ? (error as { pythonType: string }).pythonType : 'RuntimeError';
      throw new HostCallError(`${name} failed: ${message}`, pythonType);
    }
  }

  return {
    async call(request, options) {
      const signal = combine(tree.signal, options?.abortSignal);
      switch (request.op) {
        case 'llm_query':
          return llm(request.prompt, request.model ?? undefined, signal);
        case 'llm_query_batched': {
          if (!Array.isArray(request.prompts)) throw new HostCallError('prompts must be a list of str', 'TypeError');
          const model = pickSubModel(settings, request.model ?? undefined, 'llm_query_batched');
          if (typeof model === 'string') throw new HostCallError(model, 'ValueError');
          return batch(request.prompts, (prompt, index) => llm(prompt, request.model ?? undefined, signal, 'llm_query_batched', index), options?.onProgress);
        }
        case 'rlm_query':
          return rlm(request.prompt, request.context ?? undefined, signal, undefined, request.model ?? undefined);
        case 'rlm_query_batched': {
          if (!Array.isArray(request.prompts)) throw new HostCallError('prompts must be a list of str', 'TypeError');
          const contexts = request.contexts ?? undefined;
          if (contexts !== undefined && contexts.length !== request.prompts.length) {
            throw new HostCallError(`contexts has ${contexts.length} items but prompts has ${request.prompts.length}`, 'ValueError');
          }
          return batch(request.prompts, (prompt, index) => rlm(prompt, contexts?.[index] ?? undefined, signal, index, request.model ?? undefined), options?.onProgress);
        }
        case 'tool':
          return tool(request.name, request.args ?? {}, signal);
        default:
          throw new HostCallError(`Unknown host operation ${JSON.stringify((request as { op?: unknown }).op)}.`, 'ValueError');
      }
    },
  };
}

