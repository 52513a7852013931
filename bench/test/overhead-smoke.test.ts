import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_PROFILE } from '../src/bench-profile.js';
import { runBench } from '../src/run-bench.js';
import { main } from '../src/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('overhead harness smoke test (tiny parameters, no timing assertions)', () => {
  it('runs every section on the local sandbox and writes RESULTS.md with charts', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'rlms-bench-'));
    dirs.push(outDir);
    const lines: string[] = [];
    const report = await runBench({ profile: SMOKE_PROFILE, sandboxes: ['local'], outDir, inProcessServer: true, log: (line) => lines.push(line), command: 'smoke' });
    expect(report.errors).toEqual([]);
    expect(report.sandboxes).toEqual([expect.objectContaining({ name: 'local', available: true })]);

    const [overhead] = report.overhead;
    expect(overhead).toMatchObject({ sandbox: 'local', runs: 2, correctRuns: 2, iterations: 10, modelCallsPerRun: 9 });
    expect(overhead!.overheadMs.n).toBe(10);
    expect(overhead!.overheadMs.median).toBeGreaterThan(0);

    expect(report.hostCall[0]!.roundTripMs.n).toBe(20);
    expect(report.batched[0]!.rows).toEqual([expect.objectContaining({ prompts: 8, concurrency: 4, idealMs: 10 })]);
    expect(report.batched[0]!.rows[0]!.serverConcurrency).toBeLessThanOrEqual(4);
    expect(report.contextLoad[0]!.rows).toEqual([expect.objectContaining({ input: 'string', bytes: 99_968 })]);
    expect(report.contextLoad[0]!.rows[0]!.memory.processes.map((p) => p.label)).toEqual(['node (engine)', 'python3 (child)']);
    expect(report.sessionStart[0]).toMatchObject({ sandbox: 'local', warmBackToBackMs: expect.objectContaining({ n: 2 }) });
    expect(report.scale[0]!.rows.map((row) => [row.tokens, row.correct])).toEqual([
      [2_000, true],
      [8_000, true],
    ]);

    const side = report.sideBySide!;
    const rlms = side.rows.find((row) => row.id === 'rlms-local')!;
    expect(rlms).toMatchObject({ correctRuns: 1, rootCalls: 5, batchCorrect: true });
    // Never more sub-calls at once than the concurrency limit (how many overlap depends on timing).
    expect(rlms.batchConcurrency).toBeGreaterThanOrEqual(1);
    expect(rlms.batchConcurrency).toBeLessThanOrEqual(4);
    for (const peer of ['ax', 'recursive-llm-ts']) {
      const row = side.rows.find((candidate) => candidate.id === peer);
      const missing = side.unavailable.find((candidate) => candidate.id === peer);
      // Each peer either ran the same workload to the right answer or is reported as unavailable with a reason.
      if (row !== undefined) expect(row).toMatchObject({ correctRuns: 1, batchCorrect: true });
      else expect(missing?.reason).toBeTruthy();
    }

    expect(report.suites.map((suite) => [suite.suite, suite.rows[0]!.rlm.score])).toEqual([
      ['s-niah', 1],
      ['oolong', 1],
      ['oolong-pairs', 1],
      ['codeqa', 1],
    ]);

    const markdown = await readFile(join(outDir, 'RESULTS.md'), 'utf8');
    for (const heading of ['## Run', '## Targets', '## 1. Engine', '## 2. Host-call', '## 3. `llm_query_batched`', '## 4. Context load', '## 5. Session start', '## 6. Scale', '## 7. Side by side', '## 8. Task suites']) {
      expect(markdown).toContain(heading);
    }
    const svgs = (await readdir(join(outDir, 'results'))).filter((name) => name.endsWith('.svg'));
    expect(svgs.sort()).toEqual(['batched-vs-ideal.svg', 'context-load-memory.svg', 'context-load-time.svg', 'overhead-per-iteration.svg', 'scale-memory.svg', 'scale-time.svg', 'side-by-side.svg']);
    const raw = JSON.parse(await readFile(join(outDir, 'results', 'latest.json'), 'utf8')) as { command: string };
    expect(raw.command).toBe('smoke');

    // `rlms-bench report` re-renders the same RESULTS.md from the saved JSON.
    const again = await mkdtemp(join(tmpdir(), 'rlms-bench-report-'));
    dirs.push(again);
    const stderr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['report', '--from', join(outDir, 'results', 'latest.json'), '--out', again])).toBe(0);
    } finally {
      process.stderr.write = stderr;
    }
    expect(await readFile(join(again, 'RESULTS.md'), 'utf8')).toBe(markdown);
  });
});
