/**
 * How the rlms examples report a run: the answer and any checks of it on stdout, a closing usage
 * line (root calls, sub-calls, tokens, cost, time), and the exit code.
 *
 * Exit codes: 0 completed, 1 error or aborted, 3 stopped by a limit (the best answer so far is
 * printed). Usage mistakes exit with 2 (`fail` in example-cli.ts).
 */
import type { QueryResult } from 'rlms';

/** What the usage line and exit codes need from a result: a `QueryResult`, or a session turn's result. */
export type RunSummary = Pick<QueryResult<unknown>, 'status' | 'statusDetail' | 'error' | 'usage' | 'costUsd' | 'iterations' | 'subcalls' | 'durationMs'>;

/** Exit code of a run stopped by a limit (`max_iterations`, `budget_exhausted`, `timeout`). */
const EXIT_LIMIT = 3;

function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}

/** One line: `usage: <status> · <n> root calls, <n> sub-calls · <tokens> · <cost> · <seconds> s`. */
export function usageLine(result: RunSummary): string {
  const total = result.usage.total;
  const tokens = `${formatNumber(total.totalTokens)} tokens (${formatNumber(total.inputTokens)} in / ${formatNumber(total.outputTokens)} out)`;
  let cost: string;
  if (result.costUsd === undefined) cost = 'cost unknown (no price for these models: pass --price IN/OUT)';
  else cost = `cost $${result.costUsd.toFixed(4)}${total.callsWithoutCost > 0 ? ` (+ ${total.callsWithoutCost} calls without a price)` : ''}`;
  // Errors are reported on their own line (reportFailure); limits say which one was hit.
  const status = result.statusDetail === undefined || result.status === 'error' || result.status === 'aborted' ? result.status : `${result.status} (${result.statusDetail})`;
  return `usage: ${status} · ${result.iterations} root calls, ${result.subcalls} sub-calls · ${tokens} · ${cost} · ${(result.durationMs / 1000).toFixed(1)} s`;
}

/**
 * When the run failed (status `error` or `aborted`), prints why and the usage line on stderr, sets
 * exit code 1 and returns true. Other statuses carry an answer (the best one so far for limits).
 */
export function reportFailure(result: RunSummary): boolean {
  if (result.status !== 'error' && result.status !== 'aborted') return false;
  process.stderr.write(`error: the run ended with status ${result.status}: ${result.error?.message ?? result.statusDetail ?? 'no detail'}\n${usageLine(result)}\n`);
  process.exitCode = 1;
  return true;
}

/** Exit code for a result: 0 completed, 3 stopped by a limit (best answer printed), 1 error or aborted. */
export function exitCodeOf(result: RunSummary): number {
  if (result.status === 'completed') return 0;
  if (result.status === 'max_iterations' || result.status === 'budget_exhausted' || result.status === 'timeout') return EXIT_LIMIT;
  return 1;
}

/** What `printResult` prints between the answer and the usage line. */
export interface PrintedResult {
  /** The answer as printed. Default: `String(result.answer)`. */
  readonly answer?: string;
  /** Blocks printed after the answer, each followed by a blank line; `undefined` entries are left out. */
  readonly sections?: readonly (string | undefined)[];
  /** One line printed right above the usage line, such as a check of the answer against the data. */
  readonly check?: string;
}

/**
 * Reports a finished query. A failed run (status `error` or `aborted`) goes to stderr with exit
 * code 1 (`reportFailure`). Otherwise stdout gets the answer, a blank line, each section and its
 * blank line, the `check` line if any, and the usage line; the exit code is then 0 (completed) or 3
 * (stopped by a limit). `print` is called only for a run that did not fail, so it may rely on the
 * answer.
 */
export function printResult<R extends RunSummary & { readonly answer: unknown }>(result: R, print: (result: R) => PrintedResult = () => ({})): void {
  if (reportFailure(result)) return;
  const { answer = String(result.answer), sections = [], check } = print(result);
  let text = `${answer}\n\n`;
  for (const section of sections) if (section !== undefined) text += `${section}\n\n`;
  if (check !== undefined) text += `${check}\n`;
  process.stdout.write(`${text}${usageLine(result)}\n`);
  process.exitCode = exitCodeOf(result);
}
