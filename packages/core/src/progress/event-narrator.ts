import type { RLMEvent } from '../engine/index.js';
import { type DescribeRLMEventOptions, describeRLMEvent, describeSubcallBatch, describeSubcallsStarting, linePrefix } from './describe-event.js';

interface OpenBatch {
  readonly startedAt: number;
  calls: number;
  open: number;
  errors: number;
  error: string | undefined;
  readonly targets: string[];
  /** Retries made for the batch's calls; only the first gets a line of its own. */
  retries: number;
}

/**
 * Words a stream of RLM events as progress lines, like {@link describeRLMEvent}, except that the
 * sub-calls a run makes together (an `llm_query_batched`, or calls overlapping in time) give two
 * lines: one when the first starts (`'Sub-calls started (llm_query_batched to openai:gpt-5-mini).'`)
 * and one when the last ends (`'3 sub-calls to openai:gpt-5-mini finished in 1.2 s.'`).
 * Of the retries of a batch's calls, only the first gets a line; the batch's last line counts them.
 * Never repeats the line it gave last. One narrator per run tree.
 */
export class RLMEventNarrator {
  private readonly batches = new Map<string, OpenBatch>();
  private last: string | undefined;
  /** Runs started with `mode: 'direct'` and not ended yet. */
  private readonly directRuns = new Set<string>();

  constructor(private readonly options: DescribeRLMEventOptions = {}) {}

  /** The line for this event, or `undefined` when it adds nothing worth a line. */
  describe(event: RLMEvent): string | undefined {
    const line = this.lineOf(event);
    if (line === undefined || line === this.last) return undefined;
    this.last = line;
    return line;
  }

  private lineOf(event: RLMEvent): string | undefined {
    if (event.type === 'subcall-start') {
      const batch = this.batches.get(event.runId);
      if (batch === undefined) {
        this.batches.set(event.runId, { startedAt: event.timestamp, calls: 1, open: 1, errors: 0, error: undefined, targets: [event.target], retries: 0 });
        return `${linePrefix(event.depth, this.options)}${describeSubcallsStarting(event.op, event.target)}`;
      }
      batch.calls++;
      batch.open++;
      if (!batch.targets.includes(event.target)) batch.targets.push(event.target);
      return undefined;
    }
    if (event.type === 'model-retry' && event.subcallId !== undefined) {
      // A rate-limited batch can retry hundreds of calls: one line for the first, a count at the end.
      const batch = this.batches.get(event.runId);
      if (batch !== undefined && batch.retries++ > 0) return undefined;
    }
    if (event.type === 'subcall-end') {
      const batch = this.batches.get(event.runId);
      // An end without a start seen (the narrator joined late): worded alone.
      if (batch === undefined) return describeRLMEvent(event, this.options);
      batch.open--;
      if (event.error !== undefined) {
        batch.errors++;
        if (this.options.errorMessages !== false) batch.error ??= event.error;
      }
      if (batch.open > 0) return undefined;
      this.batches.delete(event.runId);
      const text = describeSubcallBatch({
        calls: batch.calls,
        errors: batch.errors,
        targets: batch.targets,
        elapsedMs: batch.calls === 1 ? event.durationMs : Math.max(0, event.timestamp - batch.startedAt),
        ...(batch.error === undefined ? {} : { error: batch.error }),
        retries: batch.retries,
      });
      return `${linePrefix(event.depth, this.options)}${text}`;
    }
    if (event.type === 'run-start' && event.mode === 'direct') this.directRuns.add(event.runId);
    const direct = this.directRuns.has(event.runId);
    if (event.type === 'run-end') {
      this.batches.delete(event.runId);
      this.directRuns.delete(event.runId);
    }
    return describeRLMEvent(event, direct ? { ...this.options, directRun: true } : this.options);
  }
}
