import { describe, expect, it } from 'vitest';
import { MARKER_WORD } from '../src/scripted/needle-text.js';
import { detectWholeRunDialect, wholeRunPolicyReply } from '../src/scripted/whole-run-policy.js';
import { keptSections, spliceSection } from '../src/report/results-sections.js';
import { modelWaitTotal, parseRunPhases, unionOfIntervals } from '../src/whole-run/phases.js';
import { parseStat } from '../src/whole-run/process-tree-memory.js';
import { findReference, parseReferenceOutput, referenceArgs } from '../src/whole-run/python-reference.js';
import { pickRun, type WholeRunReport, type WholeRunRow } from '../src/whole-run/run-whole-run.js';
import { parseTimeLine, parseVerbosePhases } from '../src/whole-run/verbose-phases.js';
import { wholeRunSection } from '../src/whole-run/whole-run-report.js';
import { phaseParts } from '../src/whole-run/whole-run-rows.js';
import { wholeRunTargets } from '../src/whole-run/whole-run-targets.js';

const TRACE = [
  [5, 'rlms: context: 1 file, 1,000,000 characters'],
  [400, '[rlms] Run started (context: 1 document, 1,000,000 characters).'],
  [420, '[rlms] Iteration 1: the model replied after 53 ms (714 tokens so far). · cost n/a'],
  [990, '[rlms] Iteration 1: code block 1 finished in 1 ms.'],
  [1000, '[rlms] Iteration 2: code block 1 raised TypeError after 2.5 ms.'],
  [1400, '[rlms] Iteration 3: code block 1 finished in 371 ms.'],
  [1450, '[rlms] Iteration 4: code block 1 returned the final answer after 0 ms.'],
  [1500, '[rlms] Run completed after 4 iterations and 5 sub-calls. · 253,367 tokens, cost n/a, 1.1s'],
  [1501, '[rlms]   Time: prepare 1 ms · sandbox start 546 ms · context load 16 ms · root model 126 ms · 4 cells 1.2 s (sub-calls 333 ms, Python and transfer 617 ms) · host-call transfer 40 ms.'],
].map(([atMs, text]) => ({ atMs: atMs as number, text: text as string }));

function row(overrides: Partial<WholeRunRow>): WholeRunRow {
  return {
    implementation: 'rlms',
    sandbox: 'local',
    sizeMB: 100,
    bytes: 100_000_000,
    expected: 7,
    answer: '7',
    correct: true,
    exitCode: 0,
    wallMs: 10_000,
    peakRssBytes: 800_000_000,
    processes: [
      { name: 'node (main)', peakBytes: 500_000_000 },
      { name: 'python3', peakBytes: 300_000_000 },
    ],
    ...overrides,
  };
}

describe('whole-run scenario: parsing', () => {
  it('reads ppid, name and start time from /proc/<pid>/stat, whatever the name holds', () => {
    expect(parseStat('123 (node (x) y) S 45 123 123 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 11 0 98765 1000 10')).toEqual({ ppid: 45, name: 'node (x) y', startTime: 98765 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('measures the union of overlapping intervals', () => {
    expect(unionOfIntervals([{ startedAt: 0, durationMs: 10 }, { startedAt: 5, durationMs: 10 }, { startedAt: 30, durationMs: 5 }, { startedAt: 31, durationMs: 1 }])).toBe(20);
    expect(unionOfIntervals([])).toBe(0);
  });

  it('parses the Time: line of the verbose trace, units included', () => {
    expect(parseTimeLine(TRACE.at(-1)!.text)).toEqual({
      prepare: 1,
      'sandbox start': 546,
      'context load': 16,
      'root model': 126,
      cells: 1200,
      'sub-calls': 333,
      'python and transfer': 617,
      'host-call transfer': 40,
    });
  });

  it('turns a stamped verbose trace into phases that add up to the wall time', () => {
    const phases = parseVerbosePhases(TRACE, 2000);
    expect(phases).toMatchObject({ startupMs: 400, runMs: 1100, exitMs: 500, prepareMs: 1, sandboxStartMs: 546, loadContextMs: 16, modelWaitMs: 126, subcallsMs: 333, subcalls: 5, iterations: 4 });
    expect(phases.cellMs).toEqual([1, 2.5, 371, 0]);
    expect(phases.cellsInSandboxMs).toBe(374.5);
    // Python + transfer from the sandbox-timed cells, not the engine's (which also waited for the sandbox to start).
    expect(phases.pythonAndTransferMs).toBeCloseTo(41.5);
    expect(phases.engineMs).toBeCloseTo(1100 - 126 - 546 - 16 - 374.5);
    expect(phases.other).toEqual({ 'host-call transferMs': 40 });
    const parts = phaseParts({ wallMs: 2000, phases });
    expect(parts.reduce((sum, part) => sum + (part.ms ?? 0), 0)).toBeCloseTo(2000);
    expect(modelWaitTotal(phases)).toBe(126 + 333);
  });

  it('leaves what a trace or a trajectory lacks undefined', () => {
    const bare = parseVerbosePhases([{ atMs: 3, text: 'something else' }], 100);
    expect(bare).toEqual({ cellMs: [], other: {} });
    expect(modelWaitTotal(bare)).toBeUndefined();
    expect(parseRunPhases(undefined)).toEqual({ cellMs: [], other: {} });
  });

  it('reads the phases of an `rlms ask --json` result, unknown timings kept', () => {
    const json = {
      answer: '7',
      iterations: 2,
      subcalls: 2,
      durationMs: 900,
      trajectory: {
        startedAt: 1_000_500,
        timings: { prepareMs: 3, sandboxStartMs: 200, loadContextMs: 10, modelWaitMs: 50, cellsMs: 500, subcallsMs: 300, pythonAndTransferMs: 200, cells: 2, hostCallTransferMs: 12 },
        steps: [
          { observation: { executions: [{ result: { durationMs: 20 } }] }, subcalls: [] },
          { observation: { executions: [{ result: { durationMs: 310 } }] }, subcalls: [{ startedAt: 1, durationMs: 100 }, { startedAt: 50, durationMs: 100 }] },
        ],
        result: { durationMs: 900 },
      },
    };
    const phases = parseRunPhases(json, 1_000_000, 1600);
    expect(phases).toMatchObject({ startupMs: 500, exitMs: 200, runMs: 900, subcallsMs: 300, cellsInSandboxMs: 330, pythonAndTransferMs: 30, other: { hostCallTransferMs: 12 } });
    // Without the engine's timings the sub-call time comes from the sub-calls' own intervals.
    const withoutTimings = parseRunPhases({ ...json, trajectory: { ...json.trajectory, timings: undefined } });
    expect(withoutTimings.subcallsMs).toBe(149);
    expect(withoutTimings.sandboxStartMs).toBeUndefined();
  });
});

describe('whole-run scenario: the scripted policy and the Python reference', () => {
  const request = (system: string | undefined, turns: number, user = 'q') => ({
    systemPrompt: system,
    messages: [...Array.from({ length: turns }, () => [{ role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }]).flat(), { role: 'user', content: user }],
    lastUserMessage: user,
  });

  it('answers each dialect in its own way: FINAL for rlms, answer["ready"] for the reference, counts for sub-calls', () => {
    expect(detectWholeRunDialect(request('You are a Recursive Language Model (RLM): a language model with a prompt, and…', 0))).toBe('pyrlm-root');
    expect(wholeRunPolicyReply(request('rlms system prompt', 0), { chunkChars: 64 })).toContain('isinstance(context, str)');
    expect(wholeRunPolicyReply(request('rlms system prompt', 2), { chunkChars: 64 })).toContain('llm_query_batched');
    expect(wholeRunPolicyReply(request('rlms system prompt', 3), { chunkChars: 64 })).toContain('FINAL(sum(');
    expect(wholeRunPolicyReply(request('You are a Recursive Language Model (RLM): a language model with a prompt', 3), { chunkChars: 64 })).toContain('answer["ready"] = True');
    expect(wholeRunPolicyReply(request(undefined, 0, `${MARKER_WORD} and ${MARKER_WORD}`), { chunkChars: 64 })).toBe('2');
  });

  it('finds the reference only when PYRLM_DIR is a checkout, and reads its result line', () => {
    expect(findReference({})).toMatchObject({ available: false, reason: expect.stringContaining('PYRLM_DIR is not set') });
    expect(findReference({ PYRLM_DIR: '/nonexistent/rlm' })).toMatchObject({ available: false, reason: expect.stringContaining('no rlm/core/rlm.py') });
    expect(parseReferenceOutput('noise\nRLMS_BENCH_RESULT {"answer": "16108", "completionMs": 12.5}\n')).toEqual({ answer: '16108', completionMs: 12.5 });
    expect(parseReferenceOutput('RLMS_BENCH_RESULT not json')).toBeUndefined();
    const args = referenceArgs({ dir: '/x' }, { contextPath: '/c.txt', baseURL: 'http://h/v1', question: 'q' });
    expect(args[0]).toBe('-c');
    expect(JSON.parse(args[2]!)).toMatchObject({ dir: '/x', contextPath: '/c.txt', baseURL: 'http://h/v1', maxIterations: 10 });
  });
});

describe('whole-run scenario: choosing the run to report', () => {
  it('reports the fastest correct run and keeps why the others failed', () => {
    const picked = pickRun([row({ wallMs: 900, correct: false, error: 'exit 1' }), row({ wallMs: 2000 }), row({ wallMs: 1500 })]);
    expect(picked).toMatchObject({ wallMs: 1500, correct: true, runs: 3, failures: ['exit 1'] });
    expect(pickRun([row({ wallMs: 5, correct: false, error: 'a' }), row({ wallMs: 4, correct: false, error: 'b' })])).toMatchObject({ correct: false, error: 'a', runs: 2, failures: ['a', 'b'] });
    expect(pickRun([row({ wallMs: 7 })]).failures).toBeUndefined();
  });
});

describe('whole-run scenario: the RESULTS.md section', () => {
  const phases = parseVerbosePhases(TRACE, 2000);
  const report: WholeRunReport = {
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 60_000,
    command: 'pnpm bench whole-run',
    machine: { cpuModel: 'cpu', cores: 2, memoryGB: 8, os: 'linux', node: 'v24', python: 'Python 3.11', docker: undefined },
    loadAverage: { start: 5, end: 5 },
    chunkChars: 200_000,
    cliPath: '/repo/packages/rlms/dist/cli.js',
    builds: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:00:30.000Z' },
    rows: [
      row({ wallMs: 2000, phases, modelWaitMs: 459, machineryMs: 1541 }),
      row({ sandbox: 'pyodide', wallMs: 2500, phases: { ...phases, sandboxStartMs: 1046 } }),
      row({ implementation: 'reference', wallMs: 30_000, processes: [{ name: 'python', peakBytes: 1e9 }], peakRssBytes: 1e9 }),
      row({ sizeMB: 10, bytes: 10_000_000, sandbox: 'docker', correct: false, answer: '', error: 'exit 1' }),
    ],
    firstStartMs: { local: 300, pyodide: 1800 },
    skipped: [{ what: 'rlms --sandbox docker', reason: 'no Docker engine' }],
  };

  it('renders the table, the ratios and every target, with — for what was not measured', () => {
    const text = wholeRunSection(report);
    expect(text).toContain('## Whole runs through the CLI (issue 22)');
    expect(text).toContain('The machine was busy');
    expect(text).toContain('Packages were rebuilt during this run');
    expect(text).toContain('- rlms --sandbox docker: no Docker engine');
    expect(text).toMatch(/\| 100 MB \| rlms --sandbox local \| ✅ 7 \| 2\.00 s \| 459 ms \| 1\.54 s \| 0\.80 GB \| 8\.0× \|/);
    expect(text).toContain('❌ exit 1');
    expect(text).toMatch(/\| Python reference \(LocalREPL\) \| ✅ 7 \| 30\.0 s \| — \| — \|/);
    expect(text).toMatch(/\| wall: Python reference \/ rlms local \(speed-up\) \| — \| 15\.0× \|/);
    const targets = wholeRunTargets(report);
    expect(targets.find((t) => t.target.startsWith('100 MB, rlms --sandbox local: wall'))?.verdict).toContain('✅ met');
    expect(targets.find((t) => t.target.includes('faster than the Python reference'))?.verdict).toContain('✅ met (15.0×');
    expect(targets.find((t) => t.target.startsWith('100 MB, rlms --sandbox local: peak RSS'))?.verdict).toContain('❌ missed');
    expect(targets.find((t) => t.target.startsWith('100 MB: rlms --sandbox pyodide within'))?.verdict).toContain('✅ met (1.25×');
    expect(targets.find((t) => t.target.startsWith('10 MB: rlms --sandbox pyodide'))?.verdict).toBe('— not measured in this run');
    expect(targets.find((t) => t.target.startsWith('Pyodide sandbox start'))?.floor).toContain('1.80 s');
  });

  it('is kept by a regeneration of the rest of RESULTS.md and replaced by the next run', () => {
    const first = spliceSection('# results\n', 'whole-run', wholeRunSection(report));
    expect(keptSections(first)).toHaveLength(1);
    const second = spliceSection(first, 'whole-run', '## Whole runs\n\nnew');
    expect(second.match(/begin:whole-run/g)).toHaveLength(1);
    expect(second).toContain('new');
  });
});
