/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server. The scripted root model's Python (standard library only)
 * runs in the local sandbox over the 50 generated CSV files. The test checks the findings against
 * the generator's true model and planted anomalies.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runScriptedExample, temporaryDirectory } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { generateExperiments, TRUE_MODEL } from '../generate-experiments.ts';
import { reply } from './scripted-model.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);

const ANOMALY_WORDS = { 'sensor-dropout': 'Sensor dropout', 'calibration-offset': 'Calibration offset', 'noisy-process': 'Noisy process' } as const;

describe('examples/csv-analysis', () => {
  it('finds the correlations, the interaction and exactly the planted anomalies', async () => {
    await using dataDir = await temporaryDirectory('rlms-experiments-');
    await writeFile(join(dataDir.path, 'notes.txt'), 'not a CSV: left out by --include *.csv');
    const { stdout, stderr } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandbox', 'local', '--data-dir', dataDir.path]);
    const { anomalies, rows } = generateExperiments();
    expect(await readdir(dataDir.path)).toHaveLength(51);

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
