import { describeRunTimings, RLMEventNarrator, type RLMEvent } from '@rlms/core';
import { formatDuration, formatInteger, formatUsd, oneLine, plural } from './format.js';
import type { ProgressStream } from './progress-reporter.js';

const MAX_CODE_LINES = 12;
const MAX_OUTPUT_LINES = 6;

/**
 * The `verbose: true` trace: a readable account of a run on a stream (stderr). Each step is worded
 * by core (`RLMEventNarrator`: one line per step, one per batch of sub-calls); the trace adds the
 * question, the code run and a glimpse of its output, the run's tokens, cost and elapsed time, and
 * where that time went (sandbox start, context load, root model, cells, sub-calls).
 * Child runs are indented by depth.
 */
export class TracePrinter {
  private readonly started = Date.now();
  private readonly narrator = new RLMEventNarrator({ depthPrefix: false });

  constructor(private readonly stream: ProgressStream) {}

  /** Feeds one event. */
  readonly onEvent = (event: RLMEvent): void => {
    for (const line of this.lines(event)) this.stream.write(`${'  '.repeat(event.depth)}[rlms] ${line}\n`);
  };

  private lines(event: RLMEvent): string[] {
    const line = this.narrator.describe(event);
    const details = this.details(event);
    if (line === undefined) return details;
    return [`${line}${this.totals(event)}`, ...details];
  }

  /** Numbers after a step's line: the run's tokens and cost so far, the time since the trace began. */
  private totals(event: RLMEvent): string {
    switch (event.type) {
      case 'iteration-start':
        return ` · ${formatDuration(Date.now() - this.started)}`;
      case 'model-response':
      case 'subcall-end':
        return ` · ${formatUsd(event.totalUsage.total.costUsd)}`;
      case 'run-end': {
        const { result } = event;
        return ` · ${formatInteger(result.usage.total.totalTokens)} tokens, ${formatUsd(result.costUsd)}, ${formatDuration(result.durationMs)}`;
      }
      default:
        return '';
    }
  }

  /** What the trace shows beyond core's line: the question, the code, its output, the answer. */
  private details(event: RLMEvent): string[] {
    switch (event.type) {
      case 'run-start':
        return [`  question: ${oneLine(event.question, 100)}`];
      case 'run-end': {
        const timings = event.result.trajectory.timings;
        return timings === undefined ? [] : [`  ${describeRunTimings(timings)}`];
      }
      case 'code-execution-start': {
        const code = event.code.replace(/\s+$/, '').split('\n');
        const shown = code.slice(0, MAX_CODE_LINES).map((line) => `  │ ${line}`);
        if (code.length > MAX_CODE_LINES) shown.push(`  │ … (${code.length - MAX_CODE_LINES} more lines)`);
        return shown;
      }
      case 'code-execution-end': {
        const result = event.result;
        const lines: string[] = [];
        const output = result.stdout.replace(/\s+$/, '');
        if (output !== '') {
          const outputLines = output.split('\n');
          lines.push(`  output (${plural(outputLines.length, 'line')}):`);
          lines.push(...outputLines.slice(0, MAX_OUTPUT_LINES).map((line) => `  > ${oneLine(line, 160)}`));
          if (outputLines.length > MAX_OUTPUT_LINES) lines.push(`  > … (${outputLines.length - MAX_OUTPUT_LINES} more lines)`);
        }
        if (result.error !== undefined) lines.push(`  error: ${result.error.type}: ${oneLine(result.error.message, 160)}`);
        if (result.final !== undefined) lines.push(`  FINAL${result.final.variableName === undefined ? '' : `_VAR(${result.final.variableName})`}: ${oneLine(result.final.text, 160)}`);
        return lines;
      }
      default:
        return [];
    }
  }
}
