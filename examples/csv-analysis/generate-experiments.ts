/**
 * Deterministic synthetic lab data: a folder of experiment CSVs (one campaign per file) whose
 * outcome `yield_pct` depends on temperature, on catalyst concentration and on their interaction,
 * and not at all on pressure or stirring speed. Three experiments are anomalous in known ways: a
 * sensor that drops out (readings of exactly 0.0), a calibration offset, and a very noisy process.
 * Some rows miss a pressure reading. Same seed, same files.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom } from '@rlms/examples-shared/seeded-random';

/** The true model behind the data: yield = intercept + t·(T − 60) + c·catalyst + i·(T − 60)·catalyst + noise. */
export const TRUE_MODEL = { intercept: 20, temperature: 0.35, catalyst: 6, interaction: 0.08, noiseSd: 2 } as const;

/** How an anomalous experiment differs. */
export type AnomalyKind = 'sensor-dropout' | 'calibration-offset' | 'noisy-process';

/** Ground truth of the generated folder. */
export interface ExperimentData {
  /** `{ 'exp_01.csv': 'run,temperature_c,…\n…', … }` */
  readonly files: Readonly<Record<string, string>>;
  readonly anomalies: Readonly<Record<string, AnomalyKind>>;
  readonly rows: number;
}

/** Options of {@link generateExperiments}. */
export interface GenerateExperimentsOptions {
  /** Number of experiment files, 10 to 200. Default 50. */
  readonly experiments?: number;
  /** Seed of the pseudo-random generator. Default 3. */
  readonly seed?: number;
}

/** Generates the files' content. Deterministic for given options. */
export function generateExperiments(options: GenerateExperimentsOptions = {}): ExperimentData {
  const count = options.experiments ?? 50;
  if (!Number.isInteger(count) || count < 10 || count > 200) throw new RangeError(`experiments must be an integer from 10 to 200, got ${count}.`);
  const random = createRandom(options.seed ?? 3);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const uniform = (low: number, high: number) => low + (high - low) * random();
  const names = Array.from({ length: count }, (_, index) => `exp_${String(index + 1).padStart(2, '0')}.csv`);

  // Three distinct experiments get an anomaly.
  const kinds: AnomalyKind[] = ['sensor-dropout', 'calibration-offset', 'noisy-process'];
  const anomalies: Record<string, AnomalyKind> = {};
  while (Object.keys(anomalies).length < kinds.length) {
    const name = names[Math.floor(random() * count)]!;
    if (anomalies[name] === undefined) anomalies[name] = kinds[Object.keys(anomalies).length]!;
  }

  const files: Record<string, string> = {};
  let rows = 0;
  for (const name of names) {
    const anomaly = anomalies[name];
    // Each campaign explores its own region of the settings.
    const centre = { temperature: uniform(45, 80), catalyst: uniform(0.5, 2.5) };
    const operator = ['A', 'B', 'C'][Math.floor(random() * 3)]!;
    const runs = 120 + Math.floor(random() * 130);
    const dropoutStart = Math.floor(runs * uniform(0.3, 0.6));
    const lines = ['run,temperature_c,pressure_kpa,catalyst_pct,stir_rpm,operator,yield_pct'];
    for (let run = 1; run <= runs; run++) {
      const temperature = centre.temperature + uniform(-12, 12);
      const catalyst = Math.max(0.05, centre.catalyst + uniform(-0.6, 0.6));
      const pressure = uniform(95, 130);
      const stir = 200 + 50 * Math.floor(random() * 9);
      const dt = temperature - 60;
      let value =
        TRUE_MODEL.intercept + TRUE_MODEL.temperature * dt + TRUE_MODEL.catalyst * catalyst + TRUE_MODEL.interaction * dt * catalyst + TRUE_MODEL.noiseSd * normal();
      if (anomaly === 'calibration-offset') value += 15;
      if (anomaly === 'noisy-process') value += 6 * TRUE_MODEL.noiseSd * normal();
      if (anomaly === 'sensor-dropout' && run >= dropoutStart && run < dropoutStart + 25) value = 0;
      const missingPressure = random() < 0.02;
      lines.push(
        [run, temperature.toFixed(1), missingPressure ? '' : pressure.toFixed(1), catalyst.toFixed(2), stir, operator, value.toFixed(2)].join(','),
      );
    }
    rows += runs;
    files[name] = `${lines.join('\n')}\n`;
  }
  return { files, anomalies, rows };
}

/**
 * Writes the files into `dir`, replacing the `exp_*.csv` files already there (other files are kept),
 * and returns the ground truth.
 */
export async function writeExperiments(dir: string, options: GenerateExperimentsOptions = {}): Promise<ExperimentData> {
  const data = generateExperiments(options);
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (/^exp_\d+\.csv$/.test(name)) await rm(join(dir, name));
  }
  for (const [name, text] of Object.entries(data.files)) await writeFile(join(dir, name), text);
  return data;
}
