/**
 * One engine run with a scripted root model, for the fault tests: collects restarts and events,
 * lets a test act on events (kill the interpreter when code starts, abort…).
 */
import { createRLM, type RLMEvent, type RLMResult, type RLMSettings, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';

export interface ScriptedRunOptions {
  readonly sandbox: SandboxProviderV1;
  /** Root replies in order; the last one repeats (also for the closing call). */
  readonly replies: readonly string[];
  readonly settings?: Partial<Omit<RLMSettings, 'model' | 'sandbox'>>;
  readonly context?: string;
  readonly abortSignal?: AbortSignal;
  readonly onEvent?: (event: RLMEvent) => void;
}

export interface ScriptedRunOutcome {
  readonly result: RLMResult<unknown>;
  readonly restarts: number;
  readonly restartReasons: readonly string[];
  readonly events: readonly RLMEvent[];
  readonly ms: number;
}

export async function scriptedRun(options: ScriptedRunOptions): Promise<ScriptedRunOutcome> {
  const { replies } = options;
  const model = new MockModel({ modelId: 'fault-root', replies: ({ index }) => replies[Math.min(index, replies.length - 1)] ?? '' });
  const rlm = createRLM({ maxIterations: 5, executionTimeoutMs: 5_000, ...options.settings, model, sandbox: options.sandbox });
  const events: RLMEvent[] = [];
  const restartReasons: string[] = [];
  const started = Date.now();
  const result = await rlm.query({
    context: options.context ?? 'fault injection context',
    question: 'Survive the fault and answer.',
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'sandbox-restart') restartReasons.push(event.reason);
      options.onEvent?.(event);
    },
  });
  return { result, restarts: restartReasons.length, restartReasons, events, ms: Date.now() - started };
}
