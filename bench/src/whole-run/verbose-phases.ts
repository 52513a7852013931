/**
 * Reads a run's phases from the `rlms ask --verbose` trace on stderr, each line stamped with when it
 * reached the bench (ms since spawn): the `Time:` line the engine prints at the end (prepare, sandbox
 * start, context load, root model, cells, sub-calls, Python and transfer), each cell's duration, and
 * when the run started and ended. The bench reads the trace rather than `--json`, whose output holds
 * every sub-call prompt (≈ the whole context again) and would inflate the run it measures. Tolerant:
 * whatever is missing stays undefined.
 */
import { completePhases, type RunPhases } from './phases.js';

/** One stderr line and when it arrived, ms since spawn. */
export interface StampedLine {
  readonly atMs: number;
  readonly text: string;
}

const TIME_NAMES: Readonly<Record<string, keyof RunPhases>> = {
  prepare: 'prepareMs',
  'sandbox start': 'sandboxStartMs',
  'context load': 'loadContextMs',
  'root model': 'modelWaitMs',
  cells: 'cellsMs',
  'sub-calls': 'subcallsMs',
  'python and transfer': 'pythonAndTransferMs',
};

/** `12 ms` / `1.5 s` / `1.5s` → ms. */
export function durationMs(value: string, unit: string): number {
  return Number(value) * (unit === 's' ? 1000 : 1);
}

/** The named durations of a `Time:` line: `{ 'sandbox start': 546, cells: 950, … }` (names lower-cased). */
export function parseTimeLine(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  const body = line.slice(line.indexOf('Time:') + 'Time:'.length);
  for (const match of body.matchAll(/([A-Za-z][A-Za-z -]*?)\s+(\d+(?:\.\d+)?)\s?(ms|s)\b/g)) {
    out[match[1]!.trim().toLowerCase()] = durationMs(match[2]!, match[3]!);
  }
  return out;
}

/** The phases of one run from its stamped verbose trace and its wall time. Never throws. */
export function parseVerbosePhases(lines: readonly StampedLine[], wallMs: number): RunPhases {
  let runStart: number | undefined;
  let runEnd: number | undefined;
  let time: Record<string, number> = {};
  let subcalls: number | undefined;
  let iterations: number | undefined;
  const cellMs: number[] = [];
  for (const { atMs, text } of lines) {
    if (runStart === undefined && /\bRun started\b/.test(text)) runStart = atMs;
    const end = /\bRun (?:completed|ended|stopped|failed)\b(?:.*?after (\d+) iterations?)?(?:.*?(\d+) sub-calls?)?/.exec(text);
    if (end !== null) {
      runEnd = atMs;
      if (end[1] !== undefined) iterations = Number(end[1]);
      if (end[2] !== undefined) subcalls = Number(end[2]);
    }
    const cell = /code block \d+ .*?(?:\bin|\bafter) (\d+(?:\.\d+)?) ?(ms|s)\b/.exec(text);
    if (cell !== null) cellMs.push(durationMs(cell[1]!, cell[2]!));
    if (text.includes('Time:')) time = parseTimeLine(text);
  }
  const phases: Record<string, unknown> = { cellMs, other: {} };
  const other: Record<string, number> = {};
  for (const [name, ms] of Object.entries(time)) {
    const key = TIME_NAMES[name];
    if (key !== undefined) phases[key] = ms;
    else other[`${name}Ms`] = ms;
  }
  phases.other = other;
  if (runStart !== undefined) phases.startupMs = runStart;
  if (runStart !== undefined && runEnd !== undefined) phases.runMs = runEnd - runStart;
  if (runEnd !== undefined) phases.exitMs = Math.max(0, wallMs - runEnd);
  if (subcalls !== undefined) phases.subcalls = subcalls;
  if (iterations !== undefined) phases.iterations = iterations;
  return completePhases(phases as unknown as RunPhases);
}
