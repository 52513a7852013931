/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server. The scripted root model's Python (standard library only)
 * runs in the local sandbox over the 50 generated CSV files. The test checks the findings against
 * the generator's true model and planted anomalies.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { generateExperiments, TRUE_MODEL } from '../generate-experiments.ts';
import { reply } from './scripted-model.ts';

const run = promisify(execFile);
const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

function environment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  return env;
}

let server: OpenAICompatibleServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const ANOMALY_WORDS = { 'sensor-dropout': 'Sensor dropout', 'calibration-offset': 'Calibration offset', 'noisy-process': 'Noisy process' } as const;

describe('examples/csv-analysis', () => {
  it('finds the correlations, the interaction and exactly the planted anomalies', async () => {
    server = await startOpenAICompatibleServer({ replies: reply });
    dataDir = await mkdtemp(join(tmpdir(), 'rlms-experiments-'));
    await writeFile(join(dataDir, 'notes.txt'), 'not a CSV: left out by --include *.csv');
    const { stdout, stderr } = await run(
      process.execPath,
      ['index.ts', '--base-url', server.baseURL, '--model', 'scripted', '--sandbox', 'local', '--data-dir', dataDir],
      { cwd: EXAMPLE_DIR, env: environment(), timeout: 60_000 },
    );
    server.assertNoFailures();
    const { anomalies, rows } = generateExperiments();
    expect(await readdir(dataDir)).toHaveLength(51);

    expect(stdout).toContain(`Data: 50 files, ${rows.toLocaleString('en-US')} rows`);
    expect(stdout).toMatch(/^ {3}temperature_c +r = \+0\.[5-9]\d* +p < 1e-16 .* significant$/m);
    expect(stdout).toMatch(/^ {3}catalyst_pct +r = \+0\.[3-9]\d* +p < 1e-16 .* significant$/m);
    expect(stdout).toMatch(/^ {3}pressure_kpa +r = [+-]0\.0\d+ .* not significant$/m);
    const interaction = /temperature x catalyst: coefficient \+(\d\.\d+), t = [\d.]+, p < 1e-16: a significant interaction/.exec(stdout);
    expect(interaction).not.toBeNull();
    expect(Number(interaction![1])).toBeCloseTo(TRUE_MODEL.interaction, 1);
    expect(stdout).toMatch(/no operator effect once settings are accounted for/);

    const flagged = [...stdout.matchAll(/^ {3}(exp_\d+\.csv): (Sensor dropout|Calibration offset|Noisy process):/gm)].map(([, name, kind]) => [name, kind]);
    expect(Object.fromEntries(flagged)).toEqual(Object.fromEntries(Object.entries(anomalies).map(([name, kind]) => [name, ANOMALY_WORDS[kind]])));
    expect(stdout).toMatch(/significant: temperature_c, catalyst_pct, temperature x catalyst; not significant: pressure_kpa, stir_rpm, operator\./);
    expect(stdout).toMatch(/usage: completed · 4 root calls, 3 sub-calls · /);
    expect(stderr).toMatch(/data: 50 CSV files, [\d,]+ rows from /);
  });
});
