import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport } from '../run-bench.js';
import { buildCharts } from './charts.js';
import { resultsMarkdown } from './results-markdown.js';
import { keptSections, spliceSection } from './results-sections.js';
import { wholeRunSection } from '../whole-run/whole-run-report.js';

/** Not measured by `pnpm bench`, said plainly at the end of RESULTS.md. */
const LIMITS = [
  '## Not covered here',
  '',
  '- Model accuracy of the task suites: needs a real model (`rlms-bench suite --model … [--base-url …]`); this machine has no network.',
  '- The 1 GB context (local sandbox) and the 10M-token run are in `pnpm bench --full` only; the quick profile stops at 100 MB and 4M tokens.',
  '- Cloud sandboxes (E2B, Modal, Daytona) need credentials and network; they are not benchmarked.',
  '',
].join('\n');

/**
 * Writes `RESULTS.md`, `results/*.svg` and `results/latest.json` (the raw report) under `outDir`.
 */
export async function writeResults(report: BenchReport, outDir: string): Promise<void> {
  const resultsDir = join(outDir, 'results');
  await mkdir(resultsDir, { recursive: true });
  for (const [name, svg] of buildCharts(report)) await writeFile(join(resultsDir, name), svg);
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 1)}\n`);
  // Sections other commands wrote (`pnpm bench trajectories`) survive a regeneration.
  let previous = await readFile(join(outDir, 'RESULTS.md'), 'utf8').catch(() => '');
  // A run that measured whole runs replaces that section; otherwise the last one is kept.
  if (report.wholeRun !== undefined) previous = spliceSection(previous, 'whole-run', wholeRunSection(report.wholeRun));
  const kept = keptSections(previous);
  await writeFile(join(outDir, 'RESULTS.md'), [resultsMarkdown(report, LIMITS).trimEnd(), ...kept].join('\n\n').trimEnd() + '\n');
}
