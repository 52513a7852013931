/**
 * Reads where an rlms run's time went from `rlms ask --json` output: the trajectory's `timings`
 * (prepare, sandbox start, context load, root-model wait, cells, sub-calls, Python + transfer — the
 * engine records them since issue 22), the cells' own durations, and the sub-calls' intervals.
 * Tolerant: every missing field is `undefined` (shown as "—"); unknown `*Ms` timings are kept.
 */

/** A run's phases, ms. */
export interface RunPhases {
  /** Spawn of the CLI → the run's start (Node start-up, reading the files, imports). */
  readonly startupMs?: number;
  readonly prepareMs?: number;
  readonly sandboxStartMs?: number;
  readonly loadContextMs?: number;
  /** Waiting on the root model, summed. */
  readonly modelWaitMs?: number;
  /** Wall time with at least one sub-call in flight (HTTP to the model included). */
  readonly subcallsMs?: number;
  /** Cells as the engine timed them (waiting for the sandbox to start, when the first cell does, included). */
  readonly cellsMs?: number;
  /** Cells as the sandbox timed them (Σ `result.durationMs`): Python work, host-call transfer and sub-calls. */
  readonly cellsInSandboxMs?: number;
  /** Cell time with no sub-call in flight: Python work + host-call transfer (sandbox-timed cells − sub-calls). */
  readonly pythonAndTransferMs?: number;
  /** The run's time in none of the phases above: the engine itself (prompts, parsing, events, dispatch around cells). */
  readonly engineMs?: number;
  /** Each cell's duration as the sandbox measured it, in run order. */
  readonly cellMs: readonly number[];
  /** The run's end → the CLI's exit (writing the result, freeing the sandbox). */
  readonly exitMs?: number;
  /** The run's own duration (`result.durationMs`). */
  readonly runMs?: number;
  /** Timings the engine records that this parser does not know by name (`fooMs` → value). */
  readonly other: Readonly<Record<string, number>>;
  readonly subcalls?: number;
  readonly iterations?: number;
}

const KNOWN = new Set(['prepareMs', 'sandboxStartMs', 'loadContextMs', 'modelWaitMs', 'cellsMs', 'subcallsMs', 'pythonAndTransferMs', 'cells']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Length of the union of `[start, start + duration)` intervals. */
export function unionOfIntervals(intervals: readonly { readonly startedAt: number; readonly durationMs: number }[]): number {
  const sorted = intervals.map((span) => [span.startedAt, span.startedAt + span.durationMs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [start, stop] of sorted) {
    if (stop <= end) continue;
    total += stop - Math.max(start, end);
    end = stop;
  }
  return total;
}

/**
 * The phases of one run from the parsed `--json` result (`json`), the CLI's spawn time and its
 * wall time (for start-up and exit). Never throws.
 */
export function parseRunPhases(json: unknown, spawnedAt?: number, wallMs?: number): RunPhases {
  const root = isObject(json) ? json : {};
  const trajectory = isObject(root.trajectory) ? root.trajectory : root;
  const timings = isObject(trajectory.timings) ? trajectory.timings : isObject(root.timings) ? root.timings : {};
  const steps = Array.isArray(trajectory.steps) ? trajectory.steps.filter(isObject) : [];
  const cellMs: number[] = [];
  const subcallSpans: { startedAt: number; durationMs: number }[] = [];
  for (const step of steps) {
    const observation = isObject(step.observation) ? step.observation : {};
    for (const execution of Array.isArray(observation.executions) ? observation.executions : []) {
      const duration = isObject(execution) && isObject(execution.result) ? num(execution.result.durationMs) : undefined;
      if (duration !== undefined) cellMs.push(duration);
    }
    for (const subcall of Array.isArray(step.subcalls) ? step.subcalls : []) {
      if (!isObject(subcall)) continue;
      const startedAt = num(subcall.startedAt);
      const durationMs = num(subcall.durationMs);
      if (startedAt !== undefined && durationMs !== undefined) subcallSpans.push({ startedAt, durationMs });
    }
  }
  const other: Record<string, number> = {};
  for (const [key, value] of Object.entries(timings)) {
    if (!KNOWN.has(key) && key.endsWith('Ms') && num(value) !== undefined) other[key] = value as number;
  }
  const result = isObject(trajectory.result) ? trajectory.result : {};
  const runMs = num(result.durationMs) ?? num(root.durationMs);
  const runStart = num(trajectory.startedAt);
  const startupMs = spawnedAt !== undefined && runStart !== undefined ? Math.max(0, runStart - spawnedAt) : undefined;
  const exitMs = startupMs !== undefined && runMs !== undefined && wallMs !== undefined ? Math.max(0, wallMs - startupMs - runMs) : undefined;
  const subcallsMs = num(timings.subcallsMs) ?? (subcallSpans.length > 0 ? unionOfIntervals(subcallSpans) : undefined);
  const cellsMs = num(timings.cellsMs) ?? (cellMs.length > 0 ? cellMs.reduce((sum, value) => sum + value, 0) : undefined);
  const subcalls = num(root.subcalls) ?? num(result.subcalls);
  const iterations = num(root.iterations) ?? num(result.iterations);
  const optional = (name: string, value: number | undefined): Record<string, number> => (value === undefined ? {} : { [name]: value });
  return completePhases({
    ...optional('startupMs', startupMs),
    ...optional('prepareMs', num(timings.prepareMs)),
    ...optional('sandboxStartMs', num(timings.sandboxStartMs)),
    ...optional('loadContextMs', num(timings.loadContextMs)),
    ...optional('modelWaitMs', num(timings.modelWaitMs)),
    ...optional('subcallsMs', subcallsMs),
    ...optional('cellsMs', cellsMs),
    ...optional('pythonAndTransferMs', num(timings.pythonAndTransferMs)),
    cellMs,
    ...optional('exitMs', exitMs),
    ...optional('runMs', runMs),
    other,
    ...optional('subcalls', subcalls),
    ...optional('iterations', iterations),
  });
}

/**
 * Adds the derived phases to `phases` (idempotent; also for phases saved by an older bench): cells as
 * the sandbox timed them, Python + transfer from those (the engine's cell timer also covers the first
 * cell's wait for the sandbox to start), and the engine's own rest of the run.
 */
export function completePhases(phases: RunPhases): RunPhases {
  const cellsInSandboxMs = phases.cellMs.length > 0 ? phases.cellMs.reduce((sum, value) => sum + value, 0) : undefined;
  const pythonAndTransferMs = cellsInSandboxMs !== undefined ? Math.max(0, cellsInSandboxMs - (phases.subcallsMs ?? 0)) : phases.pythonAndTransferMs;
  const accounted = [phases.modelWaitMs, phases.sandboxStartMs, phases.loadContextMs, cellsInSandboxMs ?? phases.cellsMs];
  const engineMs =
    phases.runMs !== undefined && accounted.every((value) => value !== undefined)
      ? Math.max(0, phases.runMs - accounted.reduce((sum: number, value) => sum + value!, 0))
      : undefined;
  return {
    ...phases,
    ...(cellsInSandboxMs === undefined ? {} : { cellsInSandboxMs }),
    ...(pythonAndTransferMs === undefined ? {} : { pythonAndTransferMs }),
    ...(engineMs === undefined ? {} : { engineMs }),
  };
}

/**
 * Time spent waiting on models (root calls + sub-calls in flight), ms, or undefined when the run
 * recorded neither. At latency 0 this is the HTTP round trips and the client SDK, not thinking.
 */
export function modelWaitTotal(phases: RunPhases): number | undefined {
  if (phases.modelWaitMs === undefined && phases.subcallsMs === undefined) return undefined;
  return (phases.modelWaitMs ?? 0) + (phases.subcallsMs ?? 0);
}

/** The `Time:` line of `rlms ask --verbose` (`prepare 1 ms · sandbox start 546 ms · …`), or undefined. */
export function verboseTimeLine(stderr: string): string | undefined {
  const match = /Time: ([^\n]*)/.exec(stderr);
  return match?.[1]?.trim();
}
