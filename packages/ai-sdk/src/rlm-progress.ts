import type { RLMEvent } from '@rlms/core';

/** What a running RLM has done so far: the preliminary results of `rlmTool` and `onProgress`. */
export interface RLMProgress {
  readonly type: 'progress';
  /** `'starting'` before the first root call, `'model'` while the root model writes code, `'code'` while it runs, `'finishing'` after a budget stop or at the end. */
  readonly phase: 'starting' | 'model' | 'code' | 'finishing';
  /** Root model calls started (1-based; 0 before the first). */
  readonly iteration: number;
  /** Sub-calls finished (each prompt of a batch counts once; child runs' included). */
  readonly subcalls: number;
  /** Sub-calls in flight now. */
  readonly subcallsInFlight: number;
  /** Tokens of the whole run tree so far (calls that reported usage). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Known cost so far in US dollars; absent while no call had a known price. */
  readonly costUsd?: number;
  /** Milliseconds since the run started. */
  readonly elapsedMs: number;
  /** One human-readable line about the latest step, e.g. `'Iteration 2: running code block 1.'`. */
  readonly message: string;
}

const number = (value: number) => value.toLocaleString('en-US');

/**
 * One human-readable line for an RLM event, or `undefined` for events not worth a line
 * (each sub-call's start). Child runs' lines are prefixed with their depth.
 */
export function describeRLMEvent(event: RLMEvent): string | undefined {
  const prefix = event.depth > 0 ? `[depth ${event.depth}] ` : '';
  switch (event.type) {
    case 'run-start': {
      const { type, totalChars, length } = event.context;
      const shape = type === 'str' ? `${number(totalChars)} characters` : `${type} of ${number(length)} items, ${number(totalChars)} characters`;
      return `${prefix}Loaded the context (${shape}).`;
    }
    case 'iteration-start':
      return `${prefix}Iteration ${event.iteration}: asking the root model.`;
    case 'model-response':
      return `${prefix}Iteration ${event.iteration}: the model replied (${number(event.totalUsage.total.totalTokens)} tokens used so far).`;
    case 'code-execution-start':
      return `${prefix}Iteration ${event.iteration}: running code block ${event.block + 1}.`;
    case 'code-execution-end': {
      const { result } = event;
      const outcome = result.final !== undefined
        ? 'returned a final answer'
        : result.timedOut
          ? 'timed out'
          : result.error !== undefined
            ? `raised ${result.error.type}`
            : 'finished';
      return `${prefix}Iteration ${event.iteration}: code block ${event.block + 1} ${outcome}.`;
    }
    case 'subcall-start':
      return undefined;
    case 'subcall-end':
      return `${prefix}Sub-call ${event.op} to ${event.target} ${event.error === undefined ? 'done' : `failed (${event.error})`}; ${number(event.inFlight)} in flight.`;
    case 'budget-exhausted':
      return `${prefix}Stopping: ${event.detail}; asking for a final answer.`;
    case 'sandbox-restart':
      return `${prefix}The REPL was restarted: ${event.reason}.`;
    case 'run-end':
      return `${prefix}Finished (${event.result.status}) after ${event.result.iterations} iterations and ${number(event.result.subcalls)} sub-calls.`;
    default:
      return undefined;
  }
}

/** Folds the events of one run tree into an {@link RLMProgress}. */
export class RLMProgressTracker {
  private readonly startedAt = Date.now();
  private phase: RLMProgress['phase'] = 'starting';
  private iteration = 0;
  private subcalls = 0;
  private inFlight = 0;
  private inputTokens = 0;
  private outputTokens = 0;
  private totalTokens = 0;
  private costUsd: number | undefined;
  private message = 'Starting the RLM.';

  /** Applies one event; returns true when the progress changed in a way worth reporting. */
  update(event: RLMEvent): boolean {
    const root = event.depth === 0;
    switch (event.type) {
      case 'iteration-start':
        if (root) {
          this.iteration = event.iteration;
          this.phase = 'model';
        }
        break;
      case 'model-response':
      case 'subcall-end': {
        const total = event.totalUsage.total;
        this.inputTokens = total.inputTokens;
        this.outputTokens = total.outputTokens;
        this.totalTokens = total.totalTokens;
        this.costUsd = total.costUsd;
        if (event.type === 'subcall-end') {
          this.subcalls++;
          this.inFlight = event.inFlight;
        }
        break;
      }
      case 'subcall-start':
        this.inFlight = event.inFlight;
        break;
      case 'code-execution-start':
        if (root) this.phase = 'code';
        break;
      case 'code-execution-end':
        if (root) this.phase = 'model';
        break;
      case 'budget-exhausted':
      case 'run-end':
        if (root) this.phase = 'finishing';
        break;
      default:
        break;
    }
    const line = describeRLMEvent(event);
    if (line !== undefined) this.message = line;
    return line !== undefined || event.type === 'subcall-start';
  }

  /** The progress now. */
  snapshot(): RLMProgress {
    return {
      type: 'progress',
      phase: this.phase,
      iteration: this.iteration,
      subcalls: this.subcalls,
      subcallsInFlight: this.inFlight,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      totalTokens: this.totalTokens,
      ...(this.costUsd === undefined ? {} : { costUsd: this.costUsd }),
      elapsedMs: Date.now() - this.startedAt,
      message: this.message,
    };
  }
}
