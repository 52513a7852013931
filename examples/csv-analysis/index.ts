/**
 * Scientific data analysis: a folder of experiment CSVs → which variables correlate with the
 * outcome, interaction effects, anomalous experiments, and the significance of each finding. The
 * statistics are computed by code in the sandbox (the standard library, or pandas/numpy where the
 * sandbox has them); sub-models explain the anomalies.
 *
 *   OPENAI_API_KEY=sk-… node index.ts                           # host Python (sandbox "local")
 *   node index.ts --sandbox docker --docker-image my-pandas:1   # an image with pandas and numpy
 *   node index.ts --dir ./results --question "Which factors drive throughput?"
 *
 * The findings, the ground truth (synthetic data) and a usage line go to stdout; the trace to stderr.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDirectory } from 'rlms';
import { commonHelp, createExampleRLM, fail, parseExampleArgs, positiveNumber, UsageError } from '@rlms/examples-shared/example-cli';
import { printResult } from '@rlms/examples-shared/print-result';
import { TRUE_MODEL, writeExperiments, type ExperimentData } from './generate-experiments.ts';

const QUESTION = `Analyse the experimental data (one CSV file per experiment; the outcome is yield_pct) to find:
1. Which variables correlate with the outcome (correlation coefficient and p-value for each)
2. Whether there are interaction effects (fit a linear model with and without an interaction term)
3. Which experiments had anomalous results, and what is anomalous about each
4. The statistical significance of every finding
Compute the statistics in code over ALL rows of ALL files: do not estimate from a sample. Rows may have missing values.
pandas and numpy may be available: try to import them, and fall back to the csv, math and statistics modules.
Check every experiment for anomalies (outliers, stuck readings, offsets, noise), not just the first few.`;

const HELP = `
Experiment data analysis with a Recursive Language Model: correlations, interactions, anomalies.

usage: node index.ts [options]

  --experiments N     synthetic experiment files to generate (default 50)
  --seed N            seed of the generator (default 3)
  --data-dir DIR      where the generated exp_*.csv files are written (default ./data)
  --dir DIR           analyse your own folder of CSV files instead
  --question TEXT     ask something else
  --sandbox S         local (default: host python3, NOT isolated) | docker | pyodide
  --docker-image IMG  image for --sandbox docker, e.g. one with pandas and numpy
${commonHelp({ sandbox: false })}
`;

const args = parseExampleArgs(
  {
    experiments: { type: 'string', default: '50' },
    seed: { type: 'string', default: '3' },
    'data-dir': { type: 'string' },
    dir: { type: 'string' },
    question: { type: 'string' },
    'docker-image': { type: 'string' },
  },
  HELP,
);

function groundTruth(data: ExperimentData): string {
  const anomalies = Object.entries(data.anomalies)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, kind]) => `${name} (${kind})`);
  const m = TRUE_MODEL;
  return [
    `Ground truth of the synthetic data (${data.rows.toLocaleString('en-US')} rows):`,
    `  yield_pct = ${m.intercept} + ${m.temperature}·(temperature_c − 60) + ${m.catalyst}·catalyst_pct + ${m.interaction}·(temperature_c − 60)·catalyst_pct + noise (sd ${m.noiseSd});`,
    '  pressure_kpa, stir_rpm and operator have no effect',
    `  anomalous experiments: ${anomalies.join(', ')}`,
  ].join('\n');
}

try {
  const sandbox = args.sandbox ?? 'local';
  if (args['docker-image'] !== undefined && sandbox !== 'docker') throw new UsageError('--docker-image needs --sandbox docker.');
  // The constructor checks the flags and the API key before any data is written; it does no I/O.
  // Tuning: statistics are code, not reading, so few sub-calls; a generous execution timeout lets
  // pandas (or plain Python) crunch every row; maxDepth 1 is plenty.
  const rlm = createExampleRLM(
    { ...args, sandbox },
    {
      maxDepth: 1,
      maxIterations: 20,
      executionTimeoutMs: 300_000,
      timeoutMs: 15 * 60_000,
      ...(args['docker-image'] === undefined ? {} : { sandboxSettings: { image: args['docker-image'] } }),
    },
  );
  let generated: ExperimentData | undefined;
  let dir = args.dir;
  if (dir === undefined) {
    dir = args['data-dir'] === undefined ? fileURLToPath(new URL('./data/', import.meta.url)) : resolve(args['data-dir']);
    const experiments = positiveNumber(args.experiments, 'experiments')!;
    if (!Number.isInteger(experiments) || experiments < 10 || experiments > 200) throw new UsageError(`--experiments must be an integer from 10 to 200, got "${args.experiments}".`);
    generated = await writeExperiments(dir, { experiments, seed: Math.floor(positiveNumber(args.seed, 'seed')!) });
    process.stderr.write(`generated ${experiments} experiment files into ${dir}\n`);
  }
  // Raw CSV text per file: the model parses it (csv module or pandas), so nothing is lost on the way.
  const files = await loadDirectory(dir, { include: ['*.csv'] });
  const rows = Object.values(files).reduce((sum, text) => sum + text.trimEnd().split('\n').length - 1, 0);
  process.stderr.write(`data: ${Object.keys(files).length} CSV files, ${rows.toLocaleString('en-US')} rows from ${dir}\n`);

  try {
    const result = await rlm.query({
      context: files,
      question: args.question ?? QUESTION,
      ...(args['save-trajectory'] === undefined ? {} : { saveTrajectory: args['save-trajectory'] }),
    });
    printResult(result, () => ({ sections: [generated !== undefined && args.question === undefined ? groundTruth(generated) : undefined] }));
  } finally {
    await rlm.close();
  }
} catch (error) {
  fail(error);
}
