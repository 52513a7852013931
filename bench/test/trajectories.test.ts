import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { OUTCOME_CLASSES } from '../src/trajectories/classify-outcome.js';
import { CAUSE_LABELS } from '../src/trajectories/diagnose-divergence.js';
import { replayTrajectory, summarise, type TrajectoriesReport, type TrajectoryReplayResult } from '../src/trajectories/run-trajectories.js';
import { rlmsCliPath } from '../src/trajectories/run-rlms-cli.js';
import { classTable, causeTable } from '../src/trajectories/trajectories-report.js';
import { corpusAvailable, corpusDirectory, iterationResponses, loadCorpus, realOutcome } from '../src/trajectories/trajectory-corpus.js';

const directory = corpusDirectory();
const available = corpusAvailable(directory);
if (!available) {
  console.warn(`trajectories.test.ts: skipped: no real-trajectory corpus at ${directory} (set RLMS_REAL_TRAJECTORIES to the folder holding corpus/).`);
}

/** Three trajectories with different endings: a final line after code, FINAL_VAR(value), a closing-call end. */
const IDS = [
  'abh-gemini-2-5-flash-lite-rlmtest-clincal-rlm-output',
  'abh-llama-3-3-70b-versatile-20260410-125019-groq-default-model-authproxy-run-001',
  'abh-llama-3-3-70b-versatile-20260410-125019-groq-default-model-clinical-run-004',
];

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.skipIf(!available)('real-trajectory conformance runner (local sandbox, through the rlms CLI)', () => {
  it('replays trajectories and classifies each ending consistently with what the server served', async () => {
    const corpus = await loadCorpus(directory);
    const results: TrajectoryReplayResult[] = [];
    for (const id of IDS) {
      const trajectory = corpus.find((candidate) => candidate.id === id);
      expect(trajectory, `${id} is in the corpus`).toBeDefined();
      const result = await replayTrajectory(trajectory!, 'local', { cliPath: rlmsCliPath(), runTimeoutMs: 120_000 });
      results.push(result);
      const real = realOutcome(trajectory!);

      expect(OUTCOME_CLASSES).toContain(result.outcomeClass);
      expect(result.real).toMatchObject({ endKind: real.endKind, turn: real.turn });
      // The server answered at least the first root call: the CLI really ran against it.
      expect(result.replay.rootServed).toBeGreaterThan(0);
      switch (result.outcomeClass) {
        case 'same':
        case 'equivalent':
          expect(result.rlms.endKind).toBe(real.endKind);
          expect(result.rlms.turn).toBe(real.turn);
          expect(result.cause).toBeUndefined();
          if (result.outcomeClass === 'equivalent') expect(result.equivalence).toEqual(expect.any(String));
          break;
        case 'ran-out-of-script':
          expect(result.replay.rootServed).toBe(iterationResponses(trajectory!).length);
          break;
        case 'max-iterations':
          expect(result.replay.closingCalled).toBe(true);
          expect(result.replay.rootServed).toBe(trajectory!.reference.max_iterations);
          break;
        default:
          break;
      }
      if (result.outcomeClass !== 'same' && result.outcomeClass !== 'equivalent') {
        expect(Object.keys(CAUSE_LABELS)).toContain(result.cause?.code);
        expect(result.cause?.detail).toEqual(expect.any(String));
      }
    }

    const summary = summarise('local', results, 0);
    expect(Object.values(summary.counts).reduce((sum, count) => sum + count, 0)).toBe(IDS.length);
    expect(summary.complete).toBe(IDS.length);
    expect(summary.asRealOrBetter).toBe(results.filter((result) => ['same', 'equivalent', 'better'].includes(result.outcomeClass)).length);
    const causeCount = Object.values(summary.causes).reduce((sum, count) => sum + (count ?? 0), 0);
    expect(causeCount).toBe(IDS.length - summary.counts.same - summary.counts.equivalent);

    const report: TrajectoriesReport = { generatedAt: '', command: 'test', corpus: directory, cli: rlmsCliPath(), durationMs: 0, summaries: [summary], results };
    expect(classTable(report)).toContain(`**${summary.asRealOrBetter} / ${IDS.length}**`);
    for (const code of Object.keys(summary.causes)) expect(causeTable(report)).toContain(`\`${code}\``);
  });

  it('runs as `rlms-bench trajectories` and writes the JSON report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rlms-trajectories-'));
    dirs.push(dir);
    const path = join(dir, 'trajectories.json');
    const code = await main(['trajectories', '--sandbox', 'local', '--filter', 'groq-default-model-authproxy-run-001', '--concurrency', '1', '--json', path]);
    expect(code).toBe(0);
    const written = JSON.parse(await readFile(path, 'utf8')) as TrajectoriesReport;
    expect(written.summaries.map((summary) => summary.sandbox)).toEqual(['local']);
    expect(written.results).toHaveLength(1);
    expect(written.results[0]).toMatchObject({ id: IDS[1], sandbox: 'local' });
    expect(OUTCOME_CLASSES).toContain(written.results[0]!.outcomeClass);
  });
});
