import { afterEach, describe, expect, it, vi } from 'vitest';
import { exitCodeOf, printResult, usageLine, type RunSummary } from '../print-result.ts';

function summary(overrides: Partial<RunSummary> = {}): RunSummary & { answer: string } {
  const total = {
    calls: 5, inputTokens: 12_000, cachedInputTokens: 0, outputTokens: 345, reasoningTokens: 0, totalTokens: 12_345,
    costUsd: undefined, callsWithoutUsage: 0, callsWithoutCost: 0,
  };
  return { answer: 'the answer', status: 'completed', usage: { total, byModel: {}, byDepth: {} }, costUsd: undefined, iterations: 3, subcalls: 2, durationMs: 1_250, ...overrides };
}

/** Captures what `run` writes to stdout and stderr, and the exit code it sets. */
function capture(run: () => void): { stdout: string; stderr: string; exitCode: typeof process.exitCode } {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const before = process.exitCode;
  try {
    run();
    return { stdout, stderr, exitCode: process.exitCode };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = before;
  }
}

afterEach(() => vi.restoreAllMocks());

describe('usageLine', () => {
  it('names the status, calls, tokens, cost and time', () => {
    expect(usageLine(summary())).toBe(
      'usage: completed · 3 root calls, 2 sub-calls · 12,345 tokens (12,000 in / 345 out) · cost unknown (no price for these models: pass --price IN/OUT) · 1.3 s',
    );
    expect(usageLine(summary({ costUsd: 0.01234, status: 'max_iterations', statusDetail: 'reached 3 root calls' }))).toMatch(
      /^usage: max_iterations \(reached 3 root calls\) · .* · cost \$0\.0123 · 1\.3 s$/,
    );
  });
});

describe('exitCodeOf', () => {
  it('is 0 when completed, 3 for a limit, 1 for a failure', () => {
    expect(exitCodeOf(summary())).toBe(0);
    for (const status of ['max_iterations', 'budget_exhausted', 'timeout'] as const) expect(exitCodeOf(summary({ status }))).toBe(3);
    for (const status of ['error', 'aborted'] as const) expect(exitCodeOf(summary({ status }))).toBe(1);
  });
});

describe('printResult', () => {
  it('prints the answer, the sections, the check line and the usage line', () => {
    const result = summary();
    const { stdout, stderr, exitCode } = capture(() =>
      printResult(result, ({ answer }) => ({ sections: [`checked: ${answer}`, undefined, 'second'], check: 'check line' })),
    );
    expect(stdout).toBe(`the answer\n\nchecked: the answer\n\nsecond\n\ncheck line\n${usageLine(result)}\n`);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
  });

  it('prints a replacement answer, and exit code 3 after a limit', () => {
    const result = summary({ status: 'budget_exhausted' });
    const { stdout, exitCode } = capture(() => printResult(result, () => ({ answer: 'formatted' })));
    expect(stdout).toBe(`formatted\n\n${usageLine(result)}\n`);
    expect(exitCode).toBe(3);
  });

  it('reports a failed run on stderr without calling print', () => {
    const print = vi.fn(() => ({}));
    const { stdout, stderr, exitCode } = capture(() => printResult(summary({ status: 'error', error: new Error('model unreachable') }), print));
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: the run ended with status error: model unreachable\nusage: error · /);
    expect(exitCode).toBe(1);
    expect(print).not.toHaveBeenCalled();
  });
});
