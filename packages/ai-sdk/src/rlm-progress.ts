import { RLMEventNarrator, describeRLMEvent, type RLMEvent } from '@rlms/core';

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
  /** One human-readable line about the latest step, e.g. `'Iteration 2: running code block 1.'`, worded by core's `describeRLMEvent`. */
  readonly message: string;
}

// One human-readable line for an RLM event: core's words, re-exported for this package's users.
export { describeRLMEvent };

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
  private readonly narrator = new RLMEventNarrator();

  /**
   * Applies one event; returns true when it gave a new line (`message`), so a run reports each line
   * once: the sub-calls of a batch give one line when the last one ends, not one per sub-call.
   */
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
    const line = this.narrator.describe(event);
    if (line === undefined) return false;
    this.message = line;
    return true;
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
