/**
 * The typed answer of the support-ticket analysis: a zod schema the RLM's final value must match
 * (rlms validates it and sends mismatches back to the model to fix), and a plain-text rendering.
 */
import { z } from 'zod';

/** One recurring problem. */
export const Issue = z.object({
  issue: z.string().describe('short name of the problem, e.g. "CSV export times out"'),
  tickets: z.number().int().nonnegative().describe('tickets about it, all sources'),
  sharePercent: z.number().min(0).max(100).describe('share of all tickets, in percent'),
  feature: z.string().describe('the product feature it concerns'),
  rootCause: z.string().describe('the most likely root cause, with the evidence from the tickets'),
  trend: z.enum(['rising', 'falling', 'stable']).describe('first two months against the last two'),
  monthlyTickets: z.record(z.string(), z.number().int().nonnegative()).describe('tickets per month, keyed "YYYY-MM"'),
  exampleTicketIds: z.array(z.string()).min(1).max(5).describe('ids of tickets about it'),
});

/** The whole report. */
export const TicketReport = z.object({
  totalTickets: z.number().int().nonnegative(),
  ticketsBySource: z.record(z.string(), z.number().int().nonnegative()).describe('source file -> tickets'),
  topIssues: z.array(Issue).min(1).max(10).describe('most common product issues first (not how-to questions)'),
  problematicFeatures: z.array(z.object({ feature: z.string(), tickets: z.number().int().nonnegative() })).describe('features with the most issue tickets first'),
  temporalPatterns: z.array(z.string()).describe('what is getting worse or better over time, one sentence each'),
});

/** The validated answer. */
export type TicketReport = z.infer<typeof TicketReport>;

const ARROWS = { rising: '↑ rising', falling: '↓ falling', stable: '→ stable' } as const;

/** The report as aligned plain text. */
export function formatReport(report: TicketReport): string {
  const number = (value: number) => value.toLocaleString('en-US');
  const sources = Object.entries(report.ticketsBySource).map(([source, count]) => `${number(count)} from ${source}`).join(', ');
  const lines = [`${number(report.totalTickets)} tickets (${sources})`, '', 'Top issues:'];
  report.topIssues.forEach((issue, index) => {
    lines.push(`${String(index + 1).padStart(2)}. ${issue.issue.padEnd(36)} ${number(issue.tickets).padStart(6)} tickets  ${issue.sharePercent.toFixed(1).padStart(5)} %  ${ARROWS[issue.trend].padEnd(9)}  ${issue.feature}`);
    lines.push(`    root cause: ${issue.rootCause}`);
    const months = Object.entries(issue.monthlyTickets).sort(([a], [b]) => a.localeCompare(b));
    lines.push(`    by month:   ${months.map(([month, count]) => `${month} ${count}`).join(' · ')}`);
    lines.push(`    e.g.        ${issue.exampleTicketIds.join(', ')}`);
  });
  lines.push('', `Most problematic features: ${report.problematicFeatures.map((item) => `${item.feature} (${number(item.tickets)})`).join(', ')}`);
  lines.push('', 'Temporal patterns:', ...report.temporalPatterns.map((pattern) => `- ${pattern}`));
  return lines.join('\n');
}
