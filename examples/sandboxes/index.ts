/**
 * Switching sandboxes: the same question over the same log, run through each sandbox (Pyodide,
 * the host's Python, Docker…), with the answer and the time each one took. Only the `sandbox`
 * setting changes between runs.
 *
 *   OPENAI_API_KEY=sk-… node index.ts                                   # pyodide, local, docker
 *   node index.ts --sandboxes pyodide,local --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B
 *   node index.ts --sandboxes docker --docker-image rlms-python:3.11
 *   E2B_API_KEY=… node index.ts --sandboxes e2b                          # cloud sandboxes: their package + credentials
 *
 * The comparison table and usage go to stdout; each run's trace goes to stderr.
 */
import { SANDBOXES, type QueryOptions } from 'rlms';
import { commonHelp, createExampleRLM, fail, parseExampleArgs, positiveNumber, trajectoryPathFor, UsageError } from '@rlms/examples-shared/example-cli';
import { usageLine } from '@rlms/examples-shared/print-result';
import { generateLog } from './generate-log.ts';

const QUESTION = 'Which services logged errors, how many ERROR lines each, and what is the most frequent error message of each service?';

const HELP = `
The same RLM question through each sandbox, with timings.

usage: node index.ts [options]

  --sandboxes LIST    comma-separated, in order (default pyodide,local,docker);
                      also e2b, modal, daytona (their package and credentials needed)
  --docker-image IMG  image for docker (default: the package's python:3.12-slim)
  --lines N           lines of the synthetic log (default 20000)
  --seed N            seed of the generator (default 17)
${commonHelp({ sandbox: false, budget: 'budget of each run; --max-iterations N root turns (default 10)' })}
  (with --save-trajectory F, each sandbox's run is saved as F's name plus .<sandbox>.json)
`;

const args = parseExampleArgs(
  {
    sandboxes: { type: 'string', default: 'pyodide,local,docker' },
    'docker-image': { type: 'string' },
    lines: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '17' },
  },
  HELP,
);

/** An event of a run (`run-start`, `code-execution-end`, `model-response`…). */
type RLMEvent = Parameters<NonNullable<QueryOptions['onEvent']>>[0];

/** What one sandbox's run produced. */
interface Row {
  readonly sandbox: string;
  /** `completed`…, `unavailable` (the sandbox never ran code), or `failed`. */
  readonly outcome: string;
  readonly answer?: string;
  readonly detail?: string;
  readonly totalMs?: number;
  /** First code block's wall time minus its execution time: session start plus context load. */
  readonly startMs?: number;
  readonly codeMs?: number;
  readonly modelMs?: number;
  readonly usage?: string;
}

/** Collects the timings of a run from its events. */
function timer() {
  let firstStart: number | undefined;
  let firstEnd: number | undefined;
  let firstDuration = 0;
  let codeMs = 0;
  let modelMs = 0;
  let ranCode = false;
  return {
    onEvent(event: RLMEvent): void {
      if (event.depth !== 0) return;
      if (event.type === 'code-execution-start' && firstStart === undefined) firstStart = event.timestamp;
      if (event.type === 'code-execution-end') {
        ranCode = true;
        codeMs += event.result.durationMs;
        if (firstEnd === undefined) {
          firstEnd = event.timestamp;
          firstDuration = event.result.durationMs;
        }
      }
      if (event.type === 'model-response') modelMs += event.durationMs;
    },
    get ranCode() {
      return ranCode;
    },
    summary() {
      const startMs = firstStart === undefined || firstEnd === undefined ? undefined : Math.max(0, firstEnd - firstStart - firstDuration);
      return { ...(startMs === undefined ? {} : { startMs }), ...(ranCode ? { codeMs } : {}), modelMs };
    },
  };
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

async function runIn(sandbox: string, log: string): Promise<Row> {
  if (!Object.hasOwn(SANDBOXES, sandbox)) {
    return { sandbox, outcome: 'failed', detail: `unknown sandbox "${sandbox}": use one of ${Object.keys(SANDBOXES).join(', ')}` };
  }
  const clock = timer();
  const started = Date.now();
  // The only difference between the runs: `sandbox` (and, for docker, its image). The constructor
  // throws for bad flags or a missing API key: those end the program (they are not the sandbox's fault).
  const rlm = createExampleRLM(
    { ...args, sandbox },
    {
      maxDepth: 1,
      maxIterations: 10,
      timeoutMs: 5 * 60_000,
      ...(sandbox === 'docker' && args['docker-image'] !== undefined ? { sandboxSettings: { image: args['docker-image'] } } : {}),
    },
  );
  try {
    const result = await rlm.query({
      context: log,
      question: QUESTION,
      onEvent: clock.onEvent,
      ...(args['save-trajectory'] === undefined ? {} : { saveTrajectory: trajectoryPathFor(args['save-trajectory'], sandbox) }),
    });
    const base = { sandbox, totalMs: Date.now() - started, ...clock.summary(), usage: usageLine(result) };
    if (result.status === 'error' || result.status === 'aborted') {
      return { ...base, outcome: clock.ranCode ? 'failed' : 'unavailable', detail: result.error?.message ?? result.statusDetail ?? result.status };
    }
    return { ...base, outcome: result.status, answer: result.answer };
  } catch (error) {
    // A missing optional package (MissingPackageError) or a bad setting: the sandbox never ran.
    return { sandbox, outcome: 'unavailable', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    await rlm.close();
  }
}

try {
  // Bad flags or a missing API key end the program before any run (the constructor does no I/O).
  await createExampleRLM({ ...args, sandbox: undefined }).close();
  const names = (args.sandbox ?? args.sandboxes).split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  if (names.length === 0) throw new UsageError('--sandboxes needs at least one sandbox name, e.g. pyodide,local');
  const lines = Math.floor(positiveNumber(args.lines, 'lines')!);
  const { text } = generateLog({ lines, seed: Math.floor(positiveNumber(args.seed, 'seed')!) });
  process.stderr.write(`log: ${lines.toLocaleString('en-US')} lines, ${text.length.toLocaleString('en-US')} characters; sandboxes: ${names.join(', ')}\n`);

  const rows: Row[] = [];
  for (const name of names) {
    process.stderr.write(`\n=== sandbox ${name}: ${(SANDBOXES as Record<string, { summary: string }>)[name]?.summary ?? 'unknown'}\n`);
    rows.push(await runIn(name, text));
  }

  const reference = rows.find((row) => row.answer !== undefined)?.answer;
  process.stdout.write(`${QUESTION}\n\n`);
  if (reference !== undefined) process.stdout.write(`${reference}\n\n`);
  const header = ['sandbox', 'outcome', 'total', 'start+load', 'code', 'root model', 'answer'];
  const table = rows.map((row) => [
    row.sandbox,
    row.outcome,
    seconds(row.totalMs),
    seconds(row.startMs),
    seconds(row.codeMs),
    seconds(row.modelMs),
    row.answer === undefined ? '-' : row.answer === reference ? 'same' : 'DIFFERENT',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column]!.length)));
  for (const cells of [header, ...table]) process.stdout.write(`${cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
  process.stdout.write('\n');
  for (const row of rows) {
    if (row.detail !== undefined) process.stdout.write(`${row.sandbox}: ${row.outcome}: ${row.detail}\n`);
    if (row.usage !== undefined) process.stdout.write(`${row.sandbox}: ${row.usage}\n`);
    if (row.answer !== undefined && row.answer !== reference) process.stdout.write(`${row.sandbox} answered differently:\n${row.answer}\n`);
  }
  const ran = rows.filter((row) => row.answer !== undefined);
  process.exitCode = ran.length === 0 || rows.some((row) => row.outcome === 'failed') || ran.some((row) => row.answer !== reference) ? 1 : 0;
} catch (error) {
  fail(error);
}
