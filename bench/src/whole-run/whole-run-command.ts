/**
 * `rlms-bench whole-run` (`pnpm bench whole-run`, also `pnpm bench --only whole-run`): the whole-run
 * scenario of issue 22. Writes `results/whole-run.json` and the `whole-run` section of RESULTS.md
 * (kept when `pnpm bench` regenerates the rest of the file).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResultsSection } from '../report/results-sections.js';
import { runWholeRun, WHOLE_RUN_SANDBOXES, type WholeRunReport, type WholeRunSandbox } from './run-whole-run.js';
import { wholeRunSection } from './whole-run-report.js';

/** Help text of the subcommand. */
export const WHOLE_RUN_HELP = `  rlms-bench whole-run [options]        the real rlms CLI end to end (child process, HTTP, 1/10/100 MB files)
    --sizes LIST                       context sizes in MB (default 1,10,100)
    --sandboxes LIST                   ${WHOLE_RUN_SANDBOXES.join(', ')} (default all; Docker is skipped with the reason when it cannot run)
    --repeats N                        runs per size and sandbox, the fastest reported (default 1)
    --no-reference                     do not run the Python reference even when PYRLM_DIR is set
    --json FILE                        where the JSON report goes (default bench/results/whole-run.json)
    --from FILE                        re-render the RESULTS.md section from a saved report instead of running
    --no-write                         print the section only
    Python reference: PYRLM_DIR=<checkout of alexzhang13/rlm> [PYRLM_PYTHON=<python with its dependencies>]
    RLMS_DOCKER_IMAGE (default rlms-python:3.11); RLMS_CLI (default packages/rlms/dist/cli.js);
    RLMS_BENCH_JSON=1 measures with --json instead of reading the --verbose trace (--json prints every sub-call prompt)
`;

function positiveNumbers(name: string, value: string): number[] {
  return value.split(',').map((item) => {
    const parsed = Number(item.trim());
    if (!(parsed > 0) || !Number.isFinite(parsed)) throw new RangeError(`--${name} takes positive numbers separated by commas, got "${value}".`);
    return parsed;
  });
}

/** Runs the subcommand with `argv` (after `whole-run`). Returns 0, or 1 when a run gave a wrong answer or failed. */
export async function wholeRunCommand(argv: readonly string[], benchDir: string): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sizes: { type: 'string' },
      sandboxes: { type: 'string' },
      repeats: { type: 'string' },
      'no-reference': { type: 'boolean', default: false },
      json: { type: 'string' },
      from: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`Usage:\n${WHOLE_RUN_HELP}`);
    return 0;
  }
  const jsonPath = values.json ?? join(benchDir, 'results', 'whole-run.json');
  let report: WholeRunReport;
  if (values.from !== undefined) {
    try {
      report = JSON.parse(await readFile(values.from, 'utf8')) as WholeRunReport;
    } catch (error) {
      throw new RangeError(`Cannot read a saved whole-run report from ${values.from} (${(error as Error).message}).`);
    }
  } else {
    const sandboxes = values.sandboxes?.split(',').map((name) => name.trim());
    for (const name of sandboxes ?? []) {
      if (!WHOLE_RUN_SANDBOXES.includes(name as WholeRunSandbox)) throw new RangeError(`Unknown sandbox "${name}": use ${WHOLE_RUN_SANDBOXES.join(', ')}.`);
    }
    const repeats = values.repeats === undefined ? undefined : positiveNumbers('repeats', values.repeats)[0];
    report = await runWholeRun({
      ...(values.sizes === undefined ? {} : { sizesMB: positiveNumbers('sizes', values.sizes) }),
      ...(sandboxes === undefined ? {} : { sandboxes: sandboxes as WholeRunSandbox[] }),
      ...(repeats === undefined ? {} : { repeats: Math.round(repeats) }),
      reference: !values['no-reference'],
      command: ['pnpm bench whole-run', ...argv].join(' '),
    });
  }
  const section = wholeRunSection(report);
  process.stdout.write(`${section}\n`);
  if (!values['no-write']) {
    if (values.from === undefined) {
      await mkdir(dirname(jsonPath), { recursive: true });
      await writeFile(jsonPath, `${JSON.stringify(report, null, 1)}\n`);
      process.stderr.write(`rlms-bench: wrote ${jsonPath}\n`);
    }
    const results = join(benchDir, 'RESULTS.md');
    await writeResultsSection(results, 'whole-run', section);
    process.stderr.write(`rlms-bench: wrote the whole-run section of ${results}\n`);
  }
  return report.rows.every((row) => row.correct) ? 0 : 1;
}
