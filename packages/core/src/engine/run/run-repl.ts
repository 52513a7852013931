import { SandboxSessionDeadError } from '../../errors/errors.js';
import type { HostBridge, HostCall, HostCallOptions } from '../../spec/host-bridge.js';
import type { ContextPayload, ExecutionResult, SandboxSessionV1, SandboxSnapshotSource } from '../../spec/sandbox-provider-v1.js';
import type { Budget } from '../accounting/budget.js';
import type { PreparedContext } from '../prompt/context.js';
import { frameLimitBytes } from './frame-limit.js';
import type { ResolvedSettings } from '../api/resolve-settings.js';
import { toJsonSchema, type AnswerSchema } from '../schema/schema.js';

/** A sandbox session kept across runs, reached through a host bridge that follows the current run. */
export interface PersistentSession {
  session: SandboxSessionV1 | undefined;
  readonly host: ForwardingHostBridge;
  /** Variables of extra contexts (`context_1`…) already loaded into `session` (cleared with it). */
  readonly loaded: Set<string>;
}

/** A context loaded under its own name after the run's own (a session turn's new `context`). */
export interface ExtraContext {
  readonly variable: string;
  readonly payload: ContextPayload;
}

/** A HostBridge that forwards to the bridge of whichever run currently uses the session. */
export class ForwardingHostBridge implements HostBridge {
  target: HostBridge | undefined;
  call(request: HostCall, options?: HostCallOptions): Promise<unknown> {
    if (this.target === undefined) return Promise.reject(new Error('No run is using this session.'));
    return this.target.call(request, options);
  }
}

/** What a run lends its REPL. */
export interface RunReplOptions {
  readonly settings: ResolvedSettings;
  readonly budget: Budget;
  /** The run's host bridge. */
  readonly host: HostBridge;
  readonly context: PreparedContext;
  readonly signal: AbortSignal;
  /** A session that outlives the run (multi-turn sessions): borrowed, never destroyed here. */
  readonly persistent?: PersistentSession;
  /** Shown in the REPL as `ANSWER_SCHEMA`. */
  readonly schema?: AnswerSchema;
  /** Python run once per run (and after a restart) before the model's first cell. */
  readonly setupCode?: string;
  /** Contexts loaded after the main one, each under its own variable (a session's later turns). */
  readonly extraContexts?: readonly ExtraContext[];
  /**
   * Open the session as soon as the run starts, while the root model writes its first reply, rather
   * than at the first cell (root runs: they nearly always run code). Default false.
   */
  readonly startEarly?: boolean;
  /** Called when a dead session is replaced. */
  readonly onRestart: (reason: string) => void;
  /** Told when a session starts opening and when it is ready (context loaded), with the times. */
  readonly onSandbox?: (
    phase:
      | { readonly type: 'start' }
      | { readonly type: 'ready'; readonly durationMs: number; readonly loadContextMs: number; readonly snapshot?: SandboxSnapshotSource }
      /** A cell waited `durationMs` for the session to open (start, context load, setup). */
      | { readonly type: 'waited'; readonly durationMs: number },
  ) => void;
}

/**
 * A run's REPL: the sandbox session opened on first use (context loaded, setup code run) or, with
 * `startEarly`, from the run's start so that it overlaps the first root call; replaced when it dies
 * (state lost) up to `maxSandboxRestarts` times, and destroyed — or handed back to a multi-turn
 * session — by `release()`.
 */
export class RunRepl {
  #session: SandboxSessionV1 | undefined;
  #restarts = 0;
  /** Extra contexts loaded into the current session (the persistent session's set when there is one). */
  readonly #loaded: Set<string>;
  #prepared = false;
  readonly #setupCode: string;
  /** The early opening (`startEarly`), until the first cell or `release()` takes it. */
  #opening: Promise<SandboxSessionV1> | undefined;

  constructor(private readonly options: RunReplOptions) {
    this.#loaded = options.persistent?.loaded ?? new Set();
    this.#session = options.persistent?.session;
    if (options.persistent !== undefined) options.persistent.host.target = options.host;
    const answerJson = options.schema === undefined ? undefined : toJsonSchema(options.schema);
    this.#setupCode = [
      answerJson === undefined ? '' : `ANSWER_SCHEMA = __import__("json").loads(${JSON.stringify(JSON.stringify(answerJson))})`,
      options.setupCode ?? '',
    ]
      .filter((line) => line.length > 0)
      .join('\n');
    if (options.startEarly === true && this.#session === undefined) {
      const opening = this.#ensure();
      opening.catch(() => undefined); // surfaces through startFailure() and the first cell
      this.#opening = opening;
    }
  }

  /**
   * While the early opening is under way: a promise that rejects with the error that stopped it, so
   * the run can end at once instead of after the root call (a missing credential, an image that does
   * not exist). A dead session is left to the first cell, which may restart it. Never resolves.
   */
  startFailure(): Promise<never> | undefined {
    const opening = this.#opening;
    if (opening === undefined) return undefined;
    return new Promise<never>((_resolve, reject) => {
      opening.catch((error: unknown) => {
        if (!SandboxSessionDeadError.isInstance(error)) reject(error);
      });
    });
  }

  /** The live session, when one is open. */
  get session(): SandboxSessionV1 | undefined {
    return this.#session;
  }

  /**
   * Runs one cell (interrupted after `executionTimeoutMs`, or at the run's deadline). When the
   * session died, it is replaced and `restartNote` tells the model its state was lost; a session that
   * cannot be replaced rethrows the `SandboxSessionDeadError`.
   */
  async execute(code: string): Promise<{ result?: ExecutionResult; restartNote?: string }> {
    const { settings, budget, signal } = this.options;
    const timeoutMs = Math.max(1, Math.min(settings.executionTimeoutMs, budget.remainingMs()));
    try {
      const live = await this.#live();
      return { result: await live.execute(code, { timeoutMs, abortSignal: signal }) };
    } catch (error) {
      if (!SandboxSessionDeadError.isInstance(error) || signal.aborted) throw error;
      const dead = this.#session;
      this.#forget();
      await dead?.destroy();
      if (this.#restarts >= settings.maxSandboxRestarts) throw error;
      this.#restarts++;
      this.options.onRestart(error.message);
      await this.#live();
      const why = error.reason === 'timeout' ? 'the code ignored the interrupt after the time limit' : error.message;
      return {
        restartNote: `The REPL died (${why}) and was restarted: every variable was lost, \`context\` is loaded again. Avoid what killed it.`,
      };
    }
  }

  /** Destroys the session, or leaves it to its multi-turn session. Never throws. */
  async release(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    await opening?.catch(() => undefined); // opened (then destroyed below) or failed (nothing to free)
    const { persistent } = this.options;
    if (persistent !== undefined) persistent.host.target = undefined;
    else await this.#session?.destroy();
  }

  /** The session for a cell: the early opening's when there is one, reporting how long the cell waited for it. */
  async #live(): Promise<SandboxSessionV1> {
    const opening = this.#opening;
    this.#opening = undefined;
    const mustOpen = opening !== undefined || this.#session === undefined;
    const started = performance.now();
    try {
      if (opening !== undefined) await opening;
      return await this.#ensure();
    } finally {
      if (mustOpen) this.options.onSandbox?.({ type: 'waited', durationMs: Math.round(performance.now() - started) });
    }
  }

  /** The session: opened on first use, prepared (schema, setup code) once per run and after restarts. */
  async #ensure(): Promise<SandboxSessionV1> {
    if (this.#session === undefined) {
      this.#session = await this.#open();
      this.#prepared = false;
      this.#loaded.clear();
    }
    for (const extra of this.options.extraContexts ?? []) {
      if (this.#loaded.has(extra.variable)) continue;
      await this.#session.loadContext(extra.payload, { variableName: extra.variable, abortSignal: this.options.signal });
      this.#loaded.add(extra.variable);
    }
    if (!this.#prepared) {
      this.#prepared = true;
      if (this.#setupCode.length > 0) {
        const setup = await this.#session.execute(this.#setupCode, { abortSignal: this.options.signal });
        if (setup.error !== undefined) throw new Error(`Setting up the REPL failed: ${setup.error.type}: ${setup.error.message}`);
      }
    }
    return this.#session;
  }

  async #open(): Promise<SandboxSessionV1> {
    const { settings, persistent, host, context, signal } = this.options;
    const started = performance.now();
    this.options.onSandbox?.({ type: 'start' });
    const created = await settings.sandbox.createSession({
      host: persistent?.host ?? host,
      abortSignal: signal,
      maxOutputChars: settings.maxOutputChars,
      maxFrameBytes: frameLimitBytes(settings),
      tools: Object.entries(settings.tools).map(([name, tool]) => ({
        name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        ...(tool.parameters === undefined ? {} : { parameters: toJsonSchema(tool.parameters) ?? {} }),
      })),
    });
    const loading = performance.now();
    try {
      await created.loadContext(context.payload, { abortSignal: signal });
    } catch (error) {
      await created.destroy();
      throw error;
    }
    const ready = performance.now();
    const snapshot = created.snapshot;
    this.options.onSandbox?.({ type: 'ready', durationMs: Math.round(ready - started), loadContextMs: Math.round(ready - loading), ...(snapshot === undefined ? {} : { snapshot }) });
    if (persistent !== undefined) persistent.session = created;
    return created;
  }

  #forget(): void {
    this.#session = undefined;
    this.#loaded.clear();
    if (this.options.persistent !== undefined) this.options.persistent.session = undefined;
  }
}
