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

/**
 * Why each remaining difference is there: deliberate (rlms behaves differently on purpose, and why)
 * or a known gap (what it would take). Keyed by cause code; causes without an entry say so.
 */
export const CAUSE_EXPLANATIONS: Readonly<Partial<Record<CauseCode, string>>> = {
  'reference-final-from-failed-code':
    'deliberate: the reference scans the text of a block that raised for `FINAL(...)` and answers with the unevaluated name; rlms tells the model the block failed and goes on, so it never answers with program text',
  'several-finals': 'deliberate: the first `FINAL` ends the run in rlms when it runs; the reference reads the text and keeps the first one it finds — both are defensible, rlms follows execution order',
  'python-fence-run': 'deliberate: rlms runs ```` ```python ```` blocks too (models trained elsewhere use them); the reference only runs ```` ```repl ````',
  'sub-replies-exhausted': 'replay artefact: rlms made more sub-calls than the recording has (its code took another path earlier); not a behaviour of rlms',
  'answer-differs': 'replay artefact in most cases: recorded sub-call replies were cut at 200 characters by the terminal capture',
  'closing-reply-read-differently': 'deliberate: the closing reply is parsed like any reply (code run, FINAL_VAR read), where the reference returns it verbatim',
  'final-after-code-ignored': 'deliberate: a final line after code is accepted once the response\'s code ran without error (issue 20 point 1); in these runs the code raised, so the model was told why and went on',
  'final-var-value-nameerror': 'fixed (issue 20 point 2): FINAL_VAR accepts a value; any left is a string that names no variable',
  'final-in-code-fence-invalid': 'fixed (issue 20 point 3): the FINAL line is read as text',
  'final-in-other-fence': 'deliberate in the remaining case: the ```` ```final ```` block came after code that raised, so it was not accepted and the model was told why (issue 20 point 1\'s rule)',
  'glued-closing-fence': 'fixed (issue 20 point 4): a line starting with the fence closes the block',
  'context-name-undefined': 'fixed for `context_0` (issue 20 point 5); the remaining ones use another trace\'s own name (`completion_context`), which no implementation defines',
  'text-final-to-last-paren': 'fixed (issue 20 point 7): balanced parentheses and quotes',
  'text-final-identifier': 'fixed (issue 20 point 6): a bare identifier answers with its value',
  'llm-query-call-error': 'deliberate for an unknown `model=` (sub-calls never go to an unconfigured model; the error lists the names); known gap for a dict as the second positional argument (issue 20 point 8)',
  'module-missing': 'deliberate: Pyodide ships the standard library only (no numpy); the system prompt says so',
  'unterminated-block': 'deliberate: a block that is never closed is not run (it is usually cut by the output limit); the model is told',
  'code-error': 'model code that fails in rlms where it did not in the reference (different REPL state after an earlier divergence)',
};

/** The section `pnpm bench trajectories` keeps in RESULTS.md: the tables and why each difference remains. */
export function trajectoriesResultsSection(report: TrajectoriesReport): string {
  const causes = new Set<CauseCode>();
  for (const summary of report.summaries) for (const code of Object.keys(summary.causes) as CauseCode[]) causes.add(code);
  const explained = [...causes].sort().map((code) => row([`\`${code}\``, CAUSE_EXPLANATIONS[code] ?? 'not explained yet: look at the examples above']));
  return [
    '## Real trajectories: does a run end where the model meant?',
    '',
    `\`${report.command}\` — ${report.results.length} replays of the real recorded trajectories in \`../shared/real-trajectories/\` (the reference Python RLM with real models), through the rlms CLI against a scripted server, in ${Math.round(report.durationMs / 1000)} s.`,
    '',
    classTable(report),
    '',
    'Complete captures that did not end as the real run did, by cause:',
    '',
    causeTable(report),
    '',
    'Why each remaining difference is there:',
    '',
    row(['cause', 'deliberate or known gap']),
    row(['---', '---']),
    ...explained,
    '',
  ].join('\n');
}
