import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandbox } from '@rlms/sandbox-local';
import type { SandboxProviderV1 } from '@rlms/core';
import { createOracleModel } from '../src/suites/oracle-model.js';
import { runSuite } from '../src/suites/run-suite.js';
import { getSuite, SUITE_IDS } from '../src/suites/suites.js';
import { f1, parsePairs } from '../src/suites/scoring.js';
import { readSourceTree } from '../src/suites/codeqa.js';

let sandbox: SandboxProviderV1;
beforeAll(() => {
  sandbox = createLocalSandbox();
});
afterAll(async () => {
  await sandbox.close?.();
});

const SIZES: Record<string, number[]> = { 's-niah': [2_000, 6_000], oolong: [2_000, 6_000], 'oolong-pairs': [2_000, 6_000], codeqa: [4_000, 12_000] };

describe.each(SUITE_IDS)('suite %s', (id) => {
  const suite = getSuite(id);

  it('generates deterministic tasks of about the requested size', () => {
    const first = suite.generate({ sizeTokens: SIZES[id]![1]!, count: 3, seed: 7 });
    const again = suite.generate({ sizeTokens: SIZES[id]![1]!, count: 3, seed: 7 });
    const other = suite.generate({ sizeTokens: SIZES[id]![1]!, count: 3, seed: 8 });
    expect(first.map((task) => [task.question, task.expected])).toEqual(again.map((task) => [task.question, task.expected]));
    expect(first.map((task) => task.contextText)).not.toEqual(other.map((task) => task.contextText));
    for (const task of first) {
      const tokens = task.contextText.length / 4;
      expect(tokens).toBeGreaterThan(SIZES[id]![1]! * 0.5);
      expect(tokens).toBeLessThan(SIZES[id]![1]! * 1.5);
    }
  });

  it('scores the ground truth 1 and a wrong answer below 1', () => {
    for (const task of suite.generate({ sizeTokens: SIZES[id]![0]!, count: 3, seed: 3 })) {
      expect(suite.score(task, suite.answerText(task))).toEqual({ score: 1, correct: true });
      const wrong = suite.score(task, 'I do not know (987654, 987655)');
      expect(wrong.correct).toBe(false);
      expect(wrong.score).toBeLessThan(1);
    }
  });

  it('runs end to end with the oracle model: RLM with sub-calls, direct call where the context fits, scoring', async () => {
    const sizes = SIZES[id]!;
    const tasks = sizes.flatMap((sizeTokens) => suite.generate({ sizeTokens, count: 2, seed: 1 }));
    // A window between the two sizes: the small size gets a direct call, the large one is skipped.
    const window = Math.round(sizes[0]! * 1.6 + sizes[1]! * 0.2);
    const model = createOracleModel(suite, tasks, { contextWindowTokens: window });
    const progress: string[] = [];
    const report = await runSuite({ suite, model, sandbox, sizes, tasksPerSize: 2, seed: 1, onProgress: (line) => progress.push(line) });
    expect(report.suite).toBe(id);
    expect(report.rows.map((row) => row.sizeTokens)).toEqual(sizes);
    for (const row of report.rows) {
      expect(row.rlm).toMatchObject({ tasks: 2, score: 1, correct: 2, errors: 0 });
      expect(row.rlm.totalTokens).toBeGreaterThan(0);
      expect(row.rlm.medianWallMs).toBeGreaterThan(0);
    }
    const [small, large] = report.rows;
    expect(small!.direct).toMatchObject({ tasks: 2, score: 1, correct: 2, calls: 2 });
    expect(large!.direct).toMatchObject({ skipped: expect.stringContaining('window') });
    expect(report.tasks.filter((task) => task.mode === 'rlm')).toHaveLength(4);
    expect(report.tasks.every((task) => task.correct)).toBe(true);
    expect(progress.length).toBe(6);
    if (id === 'oolong' || id === 'oolong-pairs') {
      // The oracle classifies records through llm_query_batched: sub-calls happened.
      const subcalls = model.calls.filter((call) => call.system === undefined);
      expect(subcalls.length).toBeGreaterThan(0);
    }
  });
});

describe('scoring helpers', () => {
  it('parses pairs in any order and computes F1', () => {
    const predicted = parsePairs('(3, 1)\n(1, 2) and 5-4');
    expect([...predicted].sort()).toEqual(['1,2', '1,3', '4,5']);
    expect(f1(predicted, new Set(['1,2', '1,3']))).toBeCloseTo(0.8);
    expect(f1(new Set(), new Set())).toBe(1);
    expect(f1(new Set(['9,10']), new Set(['1,2']))).toBe(0);
  });

  it('rejects an unknown suite with the valid ids', () => {
    expect(() => getSuite('nope')).toThrow(/s-niah, oolong, oolong-pairs, codeqa/);
  });

  it('CodeQA reads this repository', () => {
    const files = readSourceTree();
    expect(files.has('packages/core/src/engine/api/create-rlm.ts')).toBe(true);
    expect([...files.keys()].some((path) => path.includes('/dist/') || path.includes('node_modules'))).toBe(false);
  });
});
