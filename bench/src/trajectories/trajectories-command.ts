/**
 * `rlms-bench trajectories` (`pnpm bench trajectories`): the real-trajectory conformance run.
 */
import { parseArgs } from 'node:util';
import { runTrajectories, TRAJECTORY_SANDBOXES, type TrajectorySandbox } from './run-trajectories.js';
import { dirname, join } from 'node:path';
import { writeResultsSection } from '../report/results-sections.js';
import { renderTrajectoriesReport, trajectoriesResultsSection, writeTrajectoriesReport } from './trajectories-report.js';

/** Help text of the subcommand. */
export const TRAJECTORIES_HELP = `  rlms-bench trajectories [options]     replay the real recorded trajectories through the rlms CLI
    --sandbox local|pyodide|both       (default both)
    --filter TEXT                      only trajectories whose id contains TEXT
    --limit N                          only the first N trajectories (id order)
    --concurrency N                    CLI runs at once (default 2)
    --run-timeout SECONDS              kill a run after this long (default 300)
    --json FILE                        where the JSON report goes (default bench/results/trajectories.json)
    --no-write                         write no JSON
    --save-runs DIR                    keep each rlms --json result (with its trajectory) as DIR/<sandbox>/<id>.json
    corpus: $RLMS_REAL_TRAJECTORIES or ../shared/real-trajectories from the repository root;
    CLI: $RLMS_CLI or packages/rlms/dist/cli.js (build it with pnpm --filter rlms build)
`;

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new RangeError(`--${name} must be a positive integer, got "${value}".`);
  return parsed;
}

/** Runs the subcommand with `argv` (after `trajectories`); returns 0 (differences are results, not failures). */
export async function trajectoriesCommand(argv: readonly string[], defaultJsonPath: string): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sandbox: { type: 'string', default: 'both' },
      filter: { type: 'string' },
      limit: { type: 'string' },
      concurrency: { type: 'string' },
      'run-timeout': { type: 'string' },
      json: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'save-runs': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`Usage:\n${TRAJECTORIES_HELP}`);
    return 0;
  }
  const sandboxes: TrajectorySandbox[] =
    values.sandbox === 'both' ? [...TRAJECTORY_SANDBOXES] : TRAJECTORY_SANDBOXES.includes(values.sandbox as TrajectorySandbox) ? [values.sandbox as TrajectorySandbox] : [];
  if (sandboxes.length === 0) throw new RangeError(`--sandbox must be local, pyodide or both, got "${values.sandbox}".`);
  const limit = positiveInteger('limit', values.limit);
  const concurrency = positiveInteger('concurrency', values.concurrency);
  const runTimeout = positiveInteger('run-timeout', values['run-timeout']);
  const report = await runTrajectories({
    sandboxes,
    ...(values.filter === undefined ? {} : { filter: values.filter }),
    ...(limit === undefined ? {} : { limit }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(runTimeout === undefined ? {} : { runTimeoutMs: runTimeout * 1000 }),
    ...(values['save-runs'] === undefined ? {} : { saveRunsDir: values['save-runs'] }),
    command: ['pnpm bench trajectories', ...argv].join(' '),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(renderTrajectoriesReport(report));
  if (!values['no-write']) {
    const path = values.json ?? defaultJsonPath;
    await writeTrajectoriesReport(report, path);
    process.stderr.write(`rlms-bench: wrote ${path}\n`);
    if (values.filter === undefined && limit === undefined && values.json === undefined) {
      // A whole-corpus run is the figure of record: RESULTS.md keeps it across `pnpm bench` runs.
      const results = join(dirname(dirname(path)), 'RESULTS.md');
      await writeResultsSection(results, 'trajectories', trajectoriesResultsSection(report));
      process.stderr.write(`rlms-bench: wrote the real-trajectories section of ${results}\n`);
    }
  }
  return 0;
}
