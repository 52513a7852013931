import type { RLMEvent } from '@rlms/core';
import { RunMonitor } from './run-monitor.js';

/** A writable text stream (`process.stderr`). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of {@link ProgressReporter}. */
export interface ProgressReporterOptions {
  readonly stream: ProgressStream;
  /** One updating line (true) or plain lines (false). Default: `stream.isTTY`. */
  readonly tty?: boolean;
  /** Plain mode: least time between two lines that differ only by sub-call counts, in ms. Default 1 000. */
  readonly plainIntervalMs?: number;
}

/**
 * Live progress of a run on a terminal stream: on a TTY one status line redrawn in place
 * (iteration, current action, sub-calls in flight, tokens, cost, elapsed); otherwise one plain line
 * per change of iteration or action. Call `stop()` when the run ends (it clears the line and its timer).
 */
export class ProgressReporter {
  private readonly monitor = new RunMonitor();
  private readonly tty: boolean;
  private readonly interval: number;
  private timer: NodeJS.Timeout | undefined;
  private lastKey = '';
  private lastInFlight = 0;
  private lastLineAt = 0;
  private drawn = false;

  constructor(private readonly options: ProgressReporterOptions) {
    this.tty = options.tty ?? options.stream.isTTY === true;
    this.interval = options.plainIntervalMs ?? 1_000;
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 1_000);
      this.timer.unref();
    }
  }

  /** Feeds one event. */
  readonly onEvent = (event: RLMEvent): void => {
    const state = this.monitor.update(event);
    if (this.tty) {
      this.draw();
      return;
    }
    const key = `${state.iteration}|${state.action}`;
    const now = Date.now();
    const changed = key !== this.lastKey;
    const countsChanged = state.inFlight !== this.lastInFlight && now - this.lastLineAt >= this.interval;
    if (!changed && !countsChanged) return;
    this.lastKey = key;
    this.lastInFlight = state.inFlight;
    this.lastLineAt = now;
    this.options.stream.write(`rlms: ${this.monitor.summary(now)}\n`);
  };

  /** Prints a message on its own line, keeping the status line below it. */
  note(text: string): void {
    this.options.stream.write(`${this.tty && this.drawn ? '\r\x1b[2K' : ''}${text}\n`);
    if (this.tty && this.drawn) this.draw();
  }

  /** Clears the status line and stops redrawing. Idempotent. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    if (this.timer === undefined && this.tty) return;
    const columns = this.options.stream.columns;
    const width = Math.max(20, (columns === undefined || columns <= 0 ? 100 : columns) - 1);
    let line = `rlms: ${this.monitor.summary()}`;
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    this.options.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.tty && this.drawn) this.options.stream.write('\r\x1b[2K');
  }
}
