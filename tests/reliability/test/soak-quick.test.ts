/**
 * The soak's quick profile, run by `pnpm test`: 100 runs, 16 at once on one shared local sandbox
 * provider, with random faults and aborts. Every completed run must answer its own token, every
 * run must end as its plan says, and nothing may be left behind. The full profile (1,000 runs, 50
 * at once) is `pnpm -F @rlms/reliability-tests soak`.
 */
import { describe, expect, it } from 'vitest';
import { NO_LEAKS, leaksOnly } from '../src/baseline.ts';
import { formatSoakReport, runSoak } from '../src/soak.ts';

describe('soak (quick profile)', () => {
  it('100 runs, 16 concurrent, random faults and aborts: no hang, no cross-talk, no leak', async () => {
    const report = await runSoak({ runs: 100, concurrency: 16, seed: 20260114, abortRate: 0.15, faultRate: 0.12, hangMs: 60_000 });
    console.info(`[reliability] ${formatSoakReport(report)}`);
    expect(report.unexpected).toEqual([]);
    expect(report.crossTalk).toBe(0);
    expect(report.hung).toBe(0);
    expect(report.statuses.completed).toBeGreaterThan(50);
    expect(report.aborts).toBeGreaterThan(0);
    expect(Object.values(report.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(20);
    expect(leaksOnly(report.leaks)).toEqual(NO_LEAKS);
  });
});
