/**
 * The soak, from the command line (Node ≥ 22.18 runs this TypeScript file directly):
 *
 *   pnpm -F @rlms/reliability-tests soak                 # full profile: 1,000 runs, 50 concurrent
 *   pnpm -F @rlms/reliability-tests soak:quick           # quick profile: 100 runs, 16 concurrent
 *   node scripts/soak.ts --runs 300 --concurrency 20 --seed 7 --sandbox pyodide --json report.json
 *
 * Needs the workspace packages built (`pnpm build`). Prints a summary; exits 1 when any run hung,
 * ended unlike its plan, answered another run's token, or anything leaked.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatSoakReport, runSoak, type SoakSandbox } from '../src/soak.ts';

const PROFILES = {
  quick: { runs: 100, concurrency: 16 },
  full: { runs: 1_000, concurrency: 50 },
} as const;

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'full' },
    runs: { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string', default: '20260114' },
    sandbox: { type: 'string', default: 'local' },
    'abort-rate': { type: 'string', default: '0.15' },
    'fault-rate': { type: 'string', default: '0.12' },
    json: { type: 'string' },
  },
});

const profile = PROFILES[values.profile as keyof typeof PROFILES];
if (profile === undefined) {
  console.error(`soak: unknown --profile ${JSON.stringify(values.profile)}; use quick or full.`);
  process.exit(2);
}
if (values.sandbox !== 'local' && values.sandbox !== 'pyodide') {
  console.error(`soak: --sandbox must be local or pyodide, got ${JSON.stringify(values.sandbox)}.`);
  process.exit(2);
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`soak: --${name} must be a positive integer, got ${JSON.stringify(text)}.`);
    process.exit(2);
  }
  return value;
}

function rate(name: string, text: string): number {
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) {
    console.error(`soak: --${name} must be between 0 and 1, got ${JSON.stringify(text)}.`);
    process.exit(2);
  }
  return value;
}

// Open stdout/stderr now: they are created lazily on first use, and would otherwise show up as
// handles opened during the soak.
console.log(`soak: ${values.profile} profile starting (node ${process.version}, pid ${process.pid})`);
console.error('');

const report = await runSoak({
  runs: positiveInteger('runs', values.runs, profile.runs),
  concurrency: positiveInteger('concurrency', values.concurrency, profile.concurrency),
  seed: positiveInteger('seed', values.seed, 20260114),
  sandbox: values.sandbox as SoakSandbox,
  abortRate: rate('abort-rate', values['abort-rate']!),
  faultRate: rate('fault-rate', values['fault-rate']!),
  log: (line) => console.log(line),
});

console.log(formatSoakReport(report));
if (values.json !== undefined) {
  writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`soak: report written to ${values.json}`);
}
const failed = report.unexpected.length > 0 || report.crossTalk > 0 || report.hung > 0 || report.leaked > 0;
console.log(failed ? 'soak: FAILED' : 'soak: passed');
process.exit(failed ? 1 : 0);
