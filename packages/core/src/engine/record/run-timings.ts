/** A span of time: when it started and how long it took, in ms (a sub-call, for one). */
export interface TimeSpan {
  readonly startedAt: number;
  readonly durationMs: number;
}

/**
 * Where a run's wall time went, in ms. Stored in the trajectory (`timings`) and shown by
 * `rlms ask --verbose`. Phases overlap where the work does: sub-calls run inside cells.
 */
export interface RunTimings {
  /** Preparing the context before the run (measuring it, listing its documents). Root runs only. */
  readonly prepareMs?: number;
  /** Starting the sandbox session (process, worker or container), context load excluded. */
  readonly sandboxStartMs: number;
  /** Loading the context into the REPL. */
  readonly loadContextMs: number;
  /** Waiting on the root model, summed over its calls (the closing call included). */
  readonly modelWaitMs: number;
  /** Running code cells, summed (sub-calls made from the cells included; the sandbox start a first cell waits for excluded). */
  readonly cellsMs: number;
  /** Wall time while at least one sub-call of this run was in flight. */
  readonly subcallsMs: number;
  /**
   * Cell time with no sub-call in flight: Python's own work plus moving host calls and their replies
   * between the sandbox and the host (`cellsMs − subcallsMs`, floored at 0).
   */
  readonly pythonAndTransferMs: number;
  /** Number of cells run. */
  readonly cells: number;
}

/** Adds up a run's phases as they happen; {@link RunClock.finish} turns them into {@link RunTimings}. */
export class RunClock {
  private sandboxStartMs = 0;
  private loadContextMs = 0;
  private modelWaitMs = 0;
  private cellsMs = 0;
  private cells = 0;
  private inCell = false;
  /** Time cells spent waiting for the session to open (start, context load, setup code). */
  private startInCellsMs = 0;

  constructor(private readonly prepareMs?: number) {}

  /** The sandbox became ready after `durationMs`, of which `loadContextMs` loaded the context. */
  sandboxReady(durationMs: number, loadContextMs: number): void {
    this.sandboxStartMs += Math.max(0, durationMs - loadContextMs);
    this.loadContextMs += loadContextMs;
  }

  /**
   * A cell waited `durationMs` for the session to open: left out of the cell time. With an early
   * start this is only the part of the start the root call did not hide.
   */
  sandboxWait(durationMs: number): void {
    if (this.inCell) this.startInCellsMs += durationMs;
  }

  /** A root-model call took `durationMs`. */
  modelCall(durationMs: number): void {
    this.modelWaitMs += durationMs;
  }

  /** Runs one cell, timing it. */
  async cell<T>(run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.inCell = true;
    try {
      return await run();
    } finally {
      this.inCell = false;
      this.cellsMs += performance.now() - started;
      this.cells++;
    }
  }

  /** The run's timings, with the sub-call time measured from the sub-calls it made. */
  finish(subcalls: Iterable<TimeSpan>): RunTimings {
    const subcallsMs = unionMs(subcalls);
    const cellsMs = Math.max(0, Math.round(this.cellsMs - this.startInCellsMs));
    return {
      ...(this.prepareMs === undefined ? {} : { prepareMs: Math.round(this.prepareMs) }),
      sandboxStartMs: Math.round(this.sandboxStartMs),
      loadContextMs: Math.round(this.loadContextMs),
      modelWaitMs: Math.round(this.modelWaitMs),
      cellsMs,
      subcallsMs,
      pythonAndTransferMs: Math.max(0, cellsMs - subcallsMs),
      cells: this.cells,
    };
  }
}

/** Length of the union of `[startedAt, startedAt + durationMs)` intervals, in ms. */
export function unionMs(intervals: Iterable<TimeSpan>): number {
  const sorted = [...intervals].map((span) => [span.startedAt, span.startedAt + span.durationMs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of sorted) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return Math.round(total);
}
