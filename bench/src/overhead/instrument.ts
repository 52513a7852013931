import type {
  ContextInfo,
  ContextPayload,
  CreateSessionOptions,
  ExecuteOptions,
  ExecutionResult,
  LoadContextOptions,
  ModelCallOptions,
  ModelProviderV1,
  ModelResponse,
  SandboxProviderV1,
  SandboxSessionV1,
} from '@rlms/core';
import { preciseNow, type Interval } from '../util/intervals.js';

/** Where instrumented providers record their intervals. */
export interface IntervalLog {
  /** Each `generate()` call of a timed model. */
  readonly model: Interval[];
  /** `createSession`, `loadContext` and `destroy` of timed sessions. */
  readonly setup: Interval[];
  /** Each `execute()` of a timed session. */
  readonly execute: Interval[];
  /** Sessions created through the timed provider (newest last). */
  readonly sessions: SandboxSessionV1[];
}

/** A fresh, empty log. */
export function createIntervalLog(): IntervalLog {
  return { model: [], setup: [], execute: [], sessions: [] };
}

async function timed<T>(into: Interval[], work: () => Promise<T>): Promise<T> {
  const start = preciseNow();
  try {
    return await work();
  } finally {
    into.push({ start, end: preciseNow() });
  }
}

/** Wraps a model so every `generate()` is recorded in `log.model`. Streaming is not exposed (the engine uses `generate`). */
export function timeModel(model: ModelProviderV1, log: IntervalLog): ModelProviderV1 {
  return {
    specificationVersion: 'rlms-model-v1',
    provider: model.provider,
    modelId: model.modelId,
    ...(model.contextWindowTokens === undefined ? {} : { contextWindowTokens: model.contextWindowTokens }),
    generate: (options: ModelCallOptions): Promise<ModelResponse> => timed(log.model, () => model.generate(options)),
  };
}

/** Called around the life of each timed session (e.g. to read the memory of its processes). */
export interface SessionHooks {
  /** Right after `createSession` resolved. */
  afterCreate?(session: SandboxSessionV1): void;
  /** Right before `destroy()` runs (the processes still exist). */
  beforeDestroy?(session: SandboxSessionV1): void;
}

class TimedSession implements SandboxSessionV1 {
  constructor(
    readonly inner: SandboxSessionV1,
    private readonly log: IntervalLog,
    private readonly hooks: SessionHooks,
  ) {}
  get id(): string {
    return this.inner.id;
  }
  loadContext(payload: ContextPayload, options?: LoadContextOptions): Promise<ContextInfo> {
    return timed(this.log.setup, () => this.inner.loadContext(payload, options));
  }
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult> {
    return timed(this.log.execute, () => this.inner.execute(code, options));
  }
  destroy(): Promise<void> {
    this.hooks.beforeDestroy?.(this.inner);
    return timed(this.log.setup, () => this.inner.destroy());
  }
}

/** Wraps a sandbox so session creation, context loads, executions and destroys are recorded. */
export function timeSandbox(sandbox: SandboxProviderV1, log: IntervalLog, hooks: SessionHooks = {}): SandboxProviderV1 {
  return {
    specificationVersion: 'rlms-sandbox-v1',
    name: sandbox.name,
    capabilities: sandbox.capabilities,
    createSession: async (options: CreateSessionOptions): Promise<SandboxSessionV1> => {
      const inner = await timed(log.setup, () => sandbox.createSession(options));
      log.sessions.push(inner);
      hooks.afterCreate?.(inner);
      return new TimedSession(inner, log, hooks);
    },
  };
}
