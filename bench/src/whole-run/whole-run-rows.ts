/**
 * Helpers over the rows of a whole-run report: phase parts that add up to the wall time, the
 * largest of them, lookups and formats shared by the section and its targets.
 */
import { formatMs } from '../util/format.js';
import { completePhases, type RunPhases } from './phases.js';
import type { WholeRunReport, WholeRunRow } from './run-whole-run.js';

/** `—` for a missing value, else `format(value)`. */
export function dash(value: number | undefined, format: (value: number) => string = formatMs): string {
  return value === undefined || !Number.isFinite(value) ? '—' : format(value);
}

/** Bytes as GB with two decimals (`0.80 GB`), or MB below 0.1 GB. */
export function formatGB(bytes: number): string {
  return bytes >= 1e8 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** The disjoint phases of a run, in run order, that add up to its wall time. */
export function phaseParts(row: Pick<WholeRunRow, 'phases' | 'wallMs'>): { readonly name: string; readonly ms: number | undefined }[] {
  const phases: RunPhases | undefined = row.phases === undefined ? undefined : completePhases(row.phases);
  return [
    { name: 'start-up (incl. prepare)', ms: phases?.startupMs },
    { name: 'sandbox start', ms: phases?.sandboxStartMs },
    { name: 'context load', ms: phases?.loadContextMs },
    { name: 'root model', ms: phases?.modelWaitMs },
    { name: 'sub-calls in flight', ms: phases?.subcallsMs },
    { name: 'Python + transfer', ms: phases?.pythonAndTransferMs },
    { name: 'engine rest', ms: phases?.engineMs },
    { name: 'exit', ms: phases?.exitMs },
  ];
}

/** `name 1.2 s · name 0.4 s` of the largest known phases. */
export function largestPhases(row: Pick<WholeRunRow, 'phases' | 'wallMs'>, count = 3): string {
  const known = phaseParts(row).filter((part): part is { name: string; ms: number } => part.ms !== undefined);
  if (known.length === 0) return 'no phase timings recorded';
  return known
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((part) => `${part.name} ${formatMs(part.ms)} (${((part.ms / row.wallMs) * 100).toFixed(0)}%)`)
    .join(' · ');
}

/** The row of `implementation` on `sandbox` at `sizeMB`, when measured and correct. */
export function findRow(report: Pick<WholeRunReport, 'rows'>, implementation: WholeRunRow['implementation'], sandbox: string, sizeMB: number): WholeRunRow | undefined {
  return report.rows.find((row) => row.implementation === implementation && row.sandbox === sandbox && row.sizeMB === sizeMB && row.correct);
}

