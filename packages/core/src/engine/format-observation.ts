import type { ExecutionResult } from '../spec/sandbox-provider-v1.js';
import { truncateMiddle } from './truncate.js';

/** Renders one execution as text for the model, cutting stdout/stderr to `maxChars` each. Deterministic for the same result. */
export function formatExecution(result: ExecutionResult, index: number, count: number, maxChars: number): string {
  const parts: string[] = [];
  // No timings here: the same code must give the same message, so caches and replays stay exact.
  parts.push(count > 1 ? `Code block ${index + 1} of ${count}:` : 'Code block:');
  const stdout = result.stdout.replace(/\s+$/, '');
  const stderr = result.stderr.replace(/\s+$/, '');
  if (stdout.length > 0) parts.push(`stdout:\n${truncateMiddle(stdout, maxChars).text}`);
  if (stderr.length > 0) parts.push(`stderr:\n${truncateMiddle(stderr, maxChars).text}`);
  if (result.timedOut) {
    parts.push('The code was interrupted: it ran past the execution time limit. Variables assigned before the interruption are kept. Make it faster (search before reading, batch sub-calls) or split the work.');
  } else if (result.error !== undefined) {
    const traceback = result.error.traceback.trim();
    parts.push(`error: ${result.error.type}: ${result.error.message}${traceback.length > 0 ? `\n${truncateMiddle(traceback, maxChars).text}` : ''}`);
  }
  if (stdout.length === 0 && stderr.length === 0 && result.error === undefined && !result.timedOut) parts.push('(no output)');
  return parts.join('\n');
}
