import type { ExecutionResult } from '../../spec/sandbox-provider-v1.js';
import type { TrajectorySubcall } from '../record/trajectory.js';
import { truncateMiddle } from '../prompt/truncate.js';

/** Room for the runtime's truncation line beyond `maxOutputChars`. */
const RUNTIME_MARKER_SLACK = 200;

/** Renders one execution as text for the model, cutting stdout/stderr to `maxChars` each. Deterministic for the same result. */
export function formatExecution(result: ExecutionResult, index: number, count: number, maxChars: number): string {
  const parts: string[] = [];
  // No timings here: the same code must give the same message, so caches and replays stay exact.
  parts.push(count > 1 ? `Code block ${index + 1} of ${count}:` : 'Code block:');
  const stdout = result.stdout.replace(/\s+$/, '');
  const stderr = result.stderr.replace(/\s+$/, '');
  // The runtime already cut each stream to `maxChars` (plus its "[N characters truncated]" line, N
  // the true count): cutting again would report only the few characters of that line.
  const limit = (result.truncatedChars ?? 0) > 0 ? maxChars + RUNTIME_MARKER_SLACK : maxChars;
  if (stdout.length > 0) parts.push(`stdout:\n${truncateMiddle(stdout, limit).text}`);
  if (stderr.length > 0) parts.push(`stderr:\n${truncateMiddle(stderr, limit).text}`);
  if (result.timedOut) {
    parts.push('The code was interrupted: it ran Python past the execution time limit, or waited that long on sub-calls none of which finished (time spent waiting on sub-calls that keep finishing does not count). Variables assigned before the interruption are kept. Make it faster (search before reading, batch sub-calls) or split the work.');
  } else if (result.error !== undefined) {
    const traceback = result.error.traceback.trim();
    parts.push(`error: ${result.error.type}: ${result.error.message}${traceback.length > 0 ? `\n${truncateMiddle(traceback, maxChars).text}` : ''}`);
  }
  if (stdout.length === 0 && stderr.length === 0 && result.error === undefined && !result.timedOut) parts.push('(no output)');
  return parts.join('\n');
}

/**
 * Tells the model what became of the sub-calls of a cell that was interrupted: how many finished
 * (counted in usage and kept in the trajectory, but their answers never reached Python) and how many
 * were cancelled. Undefined when the cell made none.
 */
export function formatInterruptedSubcalls(subcalls: readonly TrajectorySubcall[]): string | undefined {
  if (subcalls.length === 0) return undefined;
  const finished = subcalls.filter((call) => call.error === undefined).length;
  const failed = subcalls.length - finished;
  return (
    `Sub-calls of the interrupted code: ${finished} of ${subcalls.length} had finished (they are counted in the usage, ` +
    `but their answers never reached your variables)${failed > 0 ? `, ${failed} were cancelled or failed` : ''}. ` +
    'To keep answers across an interruption, call llm_query_batched on smaller groups and store each group\'s answers in a variable as it returns.'
  );
}
