/**
 * Tables (markdown) and the JSON file of a real-trajectory conformance run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CLASS_LABELS, OUTCOME_CLASSES } from './classify-outcome.js';
import { CAUSE_LABELS, type Cause, type CauseCode } from './diagnose-divergence.js';
import { snippet } from './response-shapes.js';
import type { SandboxSummary, TrajectoriesReport, TrajectoryReplayResult } from './run-trajectories.js';

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Counts per outcome class (rows) and sandbox (columns), with the "as the real run or better" line. */
export function classTable(report: TrajectoriesReport): string {
  const sandboxes = report.summaries;
  const lines = [row(['outcome', ...sandboxes.map((summary) => summary.sandbox)]), row(['---', ...sandboxes.map(() => '---:')])];
  for (const name of OUTCOME_CLASSES) lines.push(row([CLASS_LABELS[name], ...sandboxes.map((summary) => summary.counts[name])]));
  lines.push(row(['**as the real run or better** (of complete captures)', ...sandboxes.map((summary) => `**${summary.asRealOrBetter} / ${summary.complete}**`)]));
  lines.push(row(['duration', ...sandboxes.map((summary) => `${Math.round(summary.durationMs / 1000)} s`)]));
  return lines.join('\n');
}

function tally(
  report: TrajectoriesReport,
  counts: (summary: SandboxSummary) => Readonly<Partial<Record<CauseCode, number>>>,
  causeOf: (result: TrajectoryReplayResult) => Cause | undefined,
  examplesPerCause: number,
): string {
  const sandboxes = report.summaries;
  const codes = new Set<CauseCode>();
  for (const summary of sandboxes) for (const code of Object.keys(counts(summary)) as CauseCode[]) codes.add(code);
  const total = (code: CauseCode) => sandboxes.reduce((sum, summary) => sum + (counts(summary)[code] ?? 0), 0);
  const ordered = [...codes].sort((left, right) => total(right) - total(left) || left.localeCompare(right));
  const lines = [row(['cause', ...sandboxes.map((summary) => summary.sandbox), 'examples (id: turn, detail)']), row(['---', ...sandboxes.map(() => '---:'), '---'])];
  for (const code of ordered) {
    const seen = new Set<string>();
    const examples: string[] = [];
    for (const result of report.results) {
      const cause = causeOf(result);
      if (cause?.code !== code || seen.has(result.id) || examples.length >= examplesPerCause) continue;
      seen.add(result.id);
      examples.push(`${result.id.replace(/^abh-/, '')}: t${cause.turn ?? '?'} ${snippet(cause.detail, 90).replace(/\|/g, '\\|')}`);
    }
    lines.push(row([`${CAUSE_LABELS[code]} (\`${code}\`)`, ...sandboxes.map((summary) => counts(summary)[code] ?? 0), examples.join('<br>')]));
  }
  return lines.join('\n');
}

const counted = (result: TrajectoryReplayResult) => result.outcomeClass !== 'incomplete-capture' && result.outcomeClass !== 'same' && result.outcomeClass !== 'equivalent';

/** Counts per cause (complete captures that did not end as the real run), with example ids. */
export function causeTable(report: TrajectoriesReport, examplesPerCause = 3): string {
  return tally(report, (summary) => summary.causes, (result) => (counted(result) ? result.cause : undefined), examplesPerCause);
}

/** Counts per cause of the first divergent turn (every complete capture, also those that ended the same). */
export function firstDivergenceTable(report: TrajectoriesReport, examplesPerCause = 2): string {
  return tally(report, (summary) => summary.firstDivergences, (result) => (result.outcomeClass === 'incomplete-capture' ? undefined : result.firstDivergence?.cause), examplesPerCause);
}

/** The whole text printed after a run. */
export function renderTrajectoriesReport(report: TrajectoriesReport): string {
  return [
    `Real-trajectory conformance: ${report.command} (${Math.round(report.durationMs / 1000)} s)`,
    `corpus: ${report.corpus}`,
    '',
    classTable(report),
    '',
    'Why (complete captures that did not end as the real run did; "better" rows say how rlms did better):',
    '',
    causeTable(report),
    '',
    'First divergent turn (every complete capture, also those that ended the same): the first code error the reference did not have, or blocks read differently:',
    '',
    firstDivergenceTable(report),
    '',
  ].join('\n');
}

/** Writes the report as JSON, creating the folder. */
export async function writeTrajectoriesReport(report: TrajectoriesReport, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 1)}\n`, 'utf8');
}
