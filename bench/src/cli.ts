#!/usr/bin/env node
/**
 * The benchmark CLI (`pnpm bench`, `rlms bench`):
 *
 *   rlms-bench [--full] [--only overhead,scale,…] [--sandboxes local,pyodide,docker] [--latency ms]
 *              [--out dir | --no-write] [--json]
 *   rlms-bench suite --suite s-niah|oolong|oolong-pairs|codeqa --model NAME [--base-url URL] [--api-key KEY]
 *              [--sub-model NAME] [--sizes 8k,32k,1m] [--tasks N] [--seed N] [--sandbox local|pyodide|docker]
 *              [--direct auto|always|never] [--context-window TOKENS] [--price-in USD --price-out USD]
 *              [--oracle] [--json FILE]
 *   rlms-bench trajectories [--sandbox local|pyodide|both] [--filter TEXT] [--limit N] [--concurrency N]
 *   rlms-bench whole-run [--sizes 1,10,100] [--sandboxes local,pyodide,docker] [--repeats N] [--from FILE]
 */
import { writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_SECTIONS, type BenchSection } from './bench-profile.js';
import { suiteTable } from './report/results-markdown.js';
import { runBench, type BenchReport } from './run-bench.js';
import { createSandboxProvider, SANDBOX_NAMES, type SandboxName } from './sandboxes/load-sandboxes.js';
import { createOracleModel } from './suites/oracle-model.js';
import { runSuite } from './suites/run-suite.js';
import { getSuite, SUITE_IDS } from './suites/suites.js';
import { TRAJECTORIES_HELP, trajectoriesCommand } from './trajectories/trajectories-command.js';
import { WHOLE_RUN_HELP, wholeRunCommand } from './whole-run/whole-run-command.js';
import { parseTokenSize } from './util/format.js';

/** Help text. */
export const HELP = `Usage:
  rlms-bench [options]                 overhead, scale, side-by-side and suite-harness benchmarks; writes bench/RESULTS.md
    --full                             add the 1 GB context (local) and the 10M-token run, more repetitions
    --only LIST                        sections: ${BENCH_SECTIONS.join(', ')}
                                       (--only whole-run alone = rlms-bench whole-run: only its RESULTS.md section is rewritten)
    --sandboxes LIST                   ${SANDBOX_NAMES.join(', ')} (default: all; unavailable ones are reported)
    --latency MS                       model latency of the scripted server (default 20)
    --out DIR                          where RESULTS.md and results/ go (default: the bench package folder)
    --no-write                         write nothing
    --json                             print the raw report as JSON on stdout

  rlms-bench report [--from FILE] [--out DIR]            re-render RESULTS.md and the SVGs from a saved report
                                       (default: results/latest.json of the bench package)

  rlms-bench suite --suite ID --model NAME [options]   run a task suite against a model
    --suite ID                         ${SUITE_IDS.join(', ')}
    --model NAME                       model id (OpenAI, or on the --base-url server)
    --base-url URL                     OpenAI-compatible server (vLLM, Ollama, llama.cpp…), ending in /v1
    --api-key KEY                      default OPENAI_API_KEY
    --sub-model NAME                   model for llm_query (default: --model)
    --sizes LIST                       context sizes in tokens, e.g. 8k,32k,128k,1m (default: the suite's)
    --tasks N                          tasks per size (default 3)
    --seed N                           generator seed (default 1)
    --sandbox NAME                     ${SANDBOX_NAMES.join(', ')} (default local)
    --direct MODE                      auto (when the context fits), always, never (default auto)
    --context-window TOKENS            the model's window, when the provider does not know it
    --price-in USD --price-out USD     prices per 1M input/output tokens, for costs
    --oracle                           use the scripted oracle model instead (offline harness check)
    --json FILE                        write the full report as JSON

${TRAJECTORIES_HELP}
${WHOLE_RUN_HELP}`;

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!(parsed > 0) || !Number.isFinite(parsed)) throw new RangeError(`--${name} must be a positive number, got "${value}".`);
  return parsed;
}

async function benchCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      sandboxes: { type: 'string' },
      latency: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const sections = list(values.only);
  for (const section of sections ?? []) {
    if (!BENCH_SECTIONS.includes(section as BenchSection)) throw new RangeError(`Unknown section "${section}": use ${BENCH_SECTIONS.join(', ')}.`);
  }
  if (sections?.length === 1 && sections[0] === 'whole-run') {
    // Only this scenario: write its own RESULTS.md section and leave the rest of the file as it is.
    return wholeRunCommand(
      [...(values.sandboxes === undefined ? [] : ['--sandboxes', values.sandboxes]), ...(values.full ? ['--repeats', '3'] : []), ...(values['no-write'] ? ['--no-write'] : [])],
      values.out ?? new URL('../', import.meta.url).pathname,
    );
  }
  const sandboxes = list(values.sandboxes);
  for (const name of sandboxes ?? []) {
    if (!SANDBOX_NAMES.includes(name as SandboxName)) throw new RangeError(`Unknown sandbox "${name}": use ${SANDBOX_NAMES.join(', ')}.`);
  }
  const latencyMs = positiveNumber('latency', values.latency);
  const report = await runBench({
    profile: values.full ? 'full' : 'quick',
    ...(sections === undefined ? {} : { sections: sections as BenchSection[] }),
    ...(sandboxes === undefined ? {} : { sandboxes: sandboxes as SandboxName[] }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    outDir: values['no-write'] ? false : (values.out ?? new URL('../', import.meta.url).pathname),
    command: ['pnpm bench', ...argv].join(' '),
  });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  return report.errors.length === 0 ? 0 : 1;
}

async function reportCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { from: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const outDir = values.out ?? new URL('../', import.meta.url).pathname;
  const from = values.from ?? new URL('../results/latest.json', import.meta.url).pathname;
  const { readFile } = await import('node:fs/promises');
  const { writeResults } = await import('./report/write-results.js');
  let report: BenchReport;
  try {
    report = JSON.parse(await readFile(from, 'utf8')) as BenchReport;
  } catch (error) {
    throw new RangeError(`Cannot read a saved report from ${from} (${(error as Error).message}): run the benchmark first or pass --from.`);
  }
  await writeResults(report, outDir);
  process.stderr.write(`rlms-bench: wrote ${outDir.replace(/\/$/, '')}/RESULTS.md from ${from}\n`);
  return 0;
}

async function suiteCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      suite: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      'api-key': { type: 'string' },
      'sub-model': { type: 'string' },
      sizes: { type: 'string' },
      tasks: { type: 'string' },
      seed: { type: 'string' },
      sandbox: { type: 'string', default: 'local' },
      direct: { type: 'string', default: 'auto' },
      'context-window': { type: 'string' },
      'price-in': { type: 'string' },
      'price-out': { type: 'string' },
      oracle: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.suite === undefined) throw new RangeError(`--suite is required: one of ${SUITE_IDS.join(', ')}.`);
  const suite = getSuite(values.suite);
  if (!values.oracle && values.model === undefined) throw new RangeError('--model is required (or --oracle for the offline harness check).');
  if (!['auto', 'always', 'never'].includes(values.direct)) throw new RangeError(`--direct must be auto, always or never, got "${values.direct}".`);
  if (!SANDBOX_NAMES.includes(values.sandbox as SandboxName)) throw new RangeError(`Unknown sandbox "${values.sandbox}": use ${SANDBOX_NAMES.join(', ')}.`);
  const sizes = list(values.sizes)?.map(parseTokenSize);
  const tasksPerSize = positiveNumber('tasks', values.tasks) ?? 3;
  const seed = positiveNumber('seed', values.seed) ?? 1;
  const contextWindowTokens = positiveNumber('context-window', values['context-window']);
  const priceIn = positiveNumber('price-in', values['price-in']);
  const priceOut = positiveNumber('price-out', values['price-out']);
  if ((priceIn === undefined) !== (priceOut === undefined)) throw new RangeError('Give both --price-in and --price-out (USD per 1M tokens).');
  let model;
  let subModel;
  if (values.oracle) {
    const effectiveSizes = sizes ?? suite.defaultSizes;
    model = createOracleModel(suite, effectiveSizes.flatMap((sizeTokens) => suite.generate({ sizeTokens, count: tasksPerSize, seed })), {
      ...(contextWindowTokens === undefined ? {} : { contextWindowTokens }),
    });
  } else {
    const { createOpenAIProvider } = await import('@rlms/openai');
    const common = {
      ...(values['base-url'] === undefined ? {} : { baseURL: values['base-url'] }),
      ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
      ...(contextWindowTokens === undefined ? {} : { contextWindowTokens }),
    };
    model = createOpenAIProvider({ model: values.model!, ...common });
    if (values['sub-model'] !== undefined) subModel = createOpenAIProvider({ model: values['sub-model'], ...common });
  }
  const sandbox = await createSandboxProvider(values.sandbox as SandboxName);
  try {
    const pricing =
      priceIn === undefined || priceOut === undefined
        ? undefined
        : Object.fromEntries([model.modelId, ...(subModel === undefined ? [] : [subModel.modelId])].map((id) => [id, { inputPerMillion: priceIn, outputPerMillion: priceOut }]));
    const report = await runSuite({
      suite,
      model,
      ...(subModel === undefined ? {} : { subModel }),
      sandbox,
      ...(sizes === undefined ? {} : { sizes }),
      tasksPerSize,
      seed,
      direct: values.direct as 'auto' | 'always' | 'never',
      ...(pricing === undefined ? {} : { pricing }),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${suiteTable(report)}\n`);
    if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(report, null, 1)}\n`);
    return 0;
  } finally {
    await sandbox.close?.();
  }
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code: 0 on success,
 * 1 when a benchmark section failed, 2 for bad arguments. Never throws.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    if (argv[0] === 'suite') return await suiteCommand(argv.slice(1));
    if (argv[0] === 'report') return await reportCommand(argv.slice(1));
    if (argv[0] === 'whole-run') return await wholeRunCommand(argv.slice(1), new URL('../', import.meta.url).pathname);
    if (argv[0] === 'trajectories') return await trajectoriesCommand(argv.slice(1), new URL('../results/trajectories.json', import.meta.url).pathname);
    return await benchCommand(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const usage = error instanceof RangeError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS') === true;
    process.stderr.write(`rlms-bench: ${message}\n${usage ? 'Run `rlms-bench --help` for usage.\n' : ''}`);
    return usage ? 2 : 1;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
