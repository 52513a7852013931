/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server. The scripted root model's Python runs in the local sandbox
 * over the 10,000 generated tickets (CSV + JSONL, read with loadCsv/loadJsonl); its final dict is
 * validated against the zod schema by rlms. The test checks every count, trend, feature and root
 * cause of the printed report against the generator's ground truth.
 */
import { runScriptedExample, temporaryDirectory } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { generateTickets, ISSUES, issueCounts } from '../generate-tickets.ts';
import { reply, TICKETS_PER_SUBCALL } from './scripted-model.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);

const TREND_WORDS = { '↑ rising': 'rising', '↓ falling': 'falling', '→ stable': 'stable' } as const;

describe('examples/support-tickets', () => {
  it('finds the top issues with exact counts, trends, features and root causes', async () => {
    await using dataDir = await temporaryDirectory('rlms-tickets-');
    const { stdout, stderr, server } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandbox', 'local', '--data-dir', dataDir.path]);

    const { tickets } = generateTickets();
    const truth = new Map(tickets.map((ticket) => [ticket.id, ticket.issue]));
    const counts = new Map(issueCounts(tickets));
    expect(stdout).toContain('10,000 tickets (5,000 from tickets.csv, 5,000 from chats.jsonl)');

    const entries = [
      ...stdout.matchAll(/^\s*(\d+)\. (.+?)\s+([\d,]+) tickets\s+([\d.]+) %\s+(↑ rising|↓ falling|→ stable)\s+(.+)\n\s+root cause: (.*)\n\s+by month: (.*)\n\s+e\.g\.\s+(.*)$/gm),
    ];
    expect(entries).toHaveLength(8);
    const productIssues = issueCounts(tickets).filter(([key]) => key !== 'question');
    entries.forEach(([, rank, , tickets, share, trend, feature, cause, , ids], index) => {
      // The issue an entry is about, from the ground truth of its example tickets.
      const keys = new Set(ids!.split(', ').map((id) => truth.get(id)));
      expect(keys.size, `entry ${rank}'s examples are about one issue`).toBe(1);
      const key = [...keys][0]!;
      const spec = ISSUES.find((issue) => issue.key === key)!;
      expect(key, `rank ${rank}`).toBe(productIssues[index]![0]);
      expect(Number(tickets!.replaceAll(',', '')), spec.label).toBe(counts.get(key));
      expect(Number(share)).toBeCloseTo((100 * counts.get(key)!) / 10_000, 1);
      expect(TREND_WORDS[trend as keyof typeof TREND_WORDS], `${spec.label} trend`).toBe(spec.trend);
      expect(feature, `${spec.label} feature`).toBe(spec.feature);
      if (index < 5) expect(cause, `${spec.label} root cause`).toContain(spec.clue);
    });
    expect(stdout).toMatch(/Most problematic features: Login & SSO \([\d,]+\), /);
    expect(stdout).toMatch(/^- SSO login loop is rising: \d+ tickets in 2025-01 to 2025-02, \d+ in 2025-05 to 2025-06$/m);
    expect(stdout).toMatch(/^- Charged twice is falling: /m);
    expect(stdout).toContain('Ground truth of the synthetic data');

    // 5 root turns; one labelling sub-call per 250 tickets and 5 root-cause sub-calls.
    const subcalls = 10_000 / TICKETS_PER_SUBCALL + 5;
    expect(stdout).toMatch(new RegExp(`usage: completed · 5 root calls, ${subcalls} sub-calls · `));
    expect(server.modelRequests).toHaveLength(5 + subcalls);
    expect(stderr).toMatch(/tickets: 5,000 in tickets\.csv, 5,000 in chats\.jsonl/);
    expect(stderr).toContain('[rlms] mode: rlm (a `schema` was given');
  });
});
