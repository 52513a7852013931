import type { RLMEvent } from '@rlms/core';
import { formatDuration, formatInteger, formatUsd, oneLine, plural } from './format.js';
import type { ProgressStream } from './progress-reporter.js';

const MAX_CODE_LINES = 12;
const MAX_OUTPUT_LINES = 6;

interface Burst {
  started: number;
  calls: number;
  /** Calls of this run still in flight. */
  open: number;
  /** Most calls of the whole tree in flight at once during the burst. */
  peak: number;
  errors: number;
  targets: Set<string>;
}

/**
 * The `verbose: true` trace: a readable account of a run on a stream (stderr): each iteration, the
 * code run and a glimpse of its output, bursts of sub-calls, tokens, cost and elapsed time. Child
 * runs are indented by depth.
 */
export class TracePrinter {
  private readonly started = Date.now();
  private readonly bursts = new Map<string, Burst>();
  /** Runs started with `mode: 'direct'` and not ended yet. */
  private readonly directRuns = new Set<string>();

  constructor(private readonly stream: ProgressStream) {}

  /** Feeds one event. */
  readonly onEvent = (event: RLMEvent): void => {
    for (const line of this.lines(event)) this.stream.write(`${'  '.repeat(event.depth)}[rlms] ${line}\n`);
  };

  private elapsed(): string {
    return formatDuration(Date.now() - this.started);
  }

  private lines(event: RLMEvent): string[] {
    switch (event.type) {
      case 'run-start': {
        const context = event.context;
        const shape = context.type === 'str' ? 'a string' : `a ${context.type} of ${plural(context.length, context.type === 'dict' ? 'document' : 'item')}`;
        if (event.mode === 'direct') this.directRuns.add(event.runId);
        const kind = event.mode === 'direct' ? 'direct call' : event.depth === 0 ? 'run' : 'child run';
        return [`${kind} started: context is ${shape} (${formatInteger(context.totalChars)} chars) · question: ${oneLine(event.question, 100)}`];
      }
      case 'iteration-start':
        return [`iteration ${event.iteration} · ${this.elapsed()}`];
      case 'model-response': {
        if (event.cached) return [`  model reply served from the cache (no tokens spent)`];
        const usage = event.usage;
        const tokens = usage.inputTokens === undefined ? 'usage not reported' : `${formatInteger(usage.inputTokens)} in / ${formatInteger(usage.outputTokens ?? 0)} out tokens`;
        const total = event.totalUsage.total;
        return [`  model replied in ${formatDuration(event.durationMs)}: ${tokens}, ${formatUsd(event.costUsd)} · run total ${formatInteger(total.totalTokens)} tokens, ${formatUsd(total.costUsd)}`];
      }
      case 'code-execution-start': {
        const code = event.code.replace(/\s+$/, '').split('\n');
        const shown = code.slice(0, MAX_CODE_LINES).map((line) => `  │ ${line}`);
        if (code.length > MAX_CODE_LINES) shown.push(`  │ … (${code.length - MAX_CODE_LINES} more lines)`);
        return [`  code block ${event.block + 1}:`, ...shown];
      }
      case 'code-execution-end': {
        const result = event.result;
        const lines: string[] = [];
        const output = result.stdout.replace(/\s+$/, '');
        const head = `  ran in ${formatDuration(result.durationMs)}${result.timedOut ? ' (timed out)' : ''}`;
        if (output === '') lines.push(`${head}, no output`);
        else {
          const outputLines = output.split('\n');
          lines.push(`${head}, output (${plural(outputLines.length, 'line')}):`);
          lines.push(...outputLines.slice(0, MAX_OUTPUT_LINES).map((line) => `  > ${oneLine(line, 160)}`));
          if (outputLines.length > MAX_OUTPUT_LINES) lines.push(`  > … (${outputLines.length - MAX_OUTPUT_LINES} more lines)`);
        }
        if (result.error !== undefined) lines.push(`  error: ${result.error.type}: ${oneLine(result.error.message, 160)}`);
        if (result.final !== undefined) lines.push(`  FINAL${result.final.variableName === undefined ? '' : `_VAR(${result.final.variableName})`}: ${oneLine(result.final.text, 160)}`);
        return lines;
      }
      case 'subcall-start': {
        const burst = this.bursts.get(event.runId);
        if (burst !== undefined) {
          burst.calls++;
          burst.open++;
          burst.peak = Math.max(burst.peak, event.inFlight);
          burst.targets.add(event.target);
          return [];
        }
        this.bursts.set(event.runId, { started: event.timestamp, calls: 1, open: 1, peak: event.inFlight, errors: 0, targets: new Set([event.target]) });
        return [`  ${event.op} → ${event.target} (${formatInteger(event.promptChars)} chars)…`];
      }
      case 'subcall-end': {
        const burst = this.bursts.get(event.runId);
        if (burst === undefined) return [];
        if (event.error !== undefined) burst.errors++;
        burst.open--;
        if (burst.open > 0) return [];
        this.bursts.delete(event.runId);
        const total = event.totalUsage.total;
        return [
          `  ${plural(burst.calls, 'sub-call')} to ${[...burst.targets].join(', ')} done in ${formatDuration(event.timestamp - burst.started)} (up to ${burst.peak} in flight)${burst.errors > 0 ? `, ${plural(burst.errors, 'error')}` : ''} · run total ${formatInteger(total.totalTokens)} tokens, ${formatUsd(total.costUsd)}`,
        ];
      }
      case 'budget-exhausted':
        // A direct run makes no closing call: there is nothing to answer from.
        return [`limit reached (${event.reason}): ${event.detail}${this.directRuns.has(event.runId) ? '' : '; asking for the best answer so far'}`];
      case 'sandbox-start':
        return [`  starting the ${event.sandbox} sandbox…`];
      case 'sandbox-ready':
        return [`  ${event.sandbox} sandbox ready in ${formatDuration(event.durationMs)} (context loaded in ${formatDuration(event.loadContextMs)})`];
      case 'sandbox-restart':
        return [`sandbox restarted: ${event.reason}`];
      case 'run-end': {
        this.directRuns.delete(event.runId);
        const result = event.result;
        const total = result.usage.total;
        const detail = result.statusDetail === undefined || result.status === 'completed' ? '' : ` (${result.statusDetail})`;
        return [
          `${event.depth === 0 ? 'run' : 'child run'} ${result.status}${detail}: ${plural(result.iterations, 'iteration')}, ${plural(result.subcalls, 'sub-call')}, ${formatInteger(total.totalTokens)} tokens, ${formatUsd(result.costUsd)}, ${formatDuration(result.durationMs)}`,
        ];
      }
    }
  }
}
