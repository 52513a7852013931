import { RLMEventNarrator, type RLMEvent } from '@rlms/core';
import { formatDuration, formatInteger, formatUsd, plural } from './format.js';

/** Live state of a run, folded from its events: what progress displays show. */
export interface RunState {
  readonly startedAt: number;
  /** Root iteration (1-based; 0 before the first). */
  readonly iteration: number;
  /** What the run is doing now: core's line for the latest step (`describeRLMEvent`), without its full stop. */
  readonly action: string;
  /** Sub-calls of the whole tree in flight now. */
  readonly inFlight: number;
  /** Sub-calls started so far. */
  readonly subcalls: number;
  readonly tokens: number;
  readonly costUsd: number | undefined;
  /** True once the root run ended. */
  readonly done: boolean;
}

/** Folds run events into a {@link RunState}; the action is core's line for the latest step. */
export class RunMonitor {
  private state: RunState;
  private readonly narrator = new RLMEventNarrator();

  constructor(now = Date.now()) {
    this.state = { startedAt: now, iteration: 0, action: 'starting', inFlight: 0, subcalls: 0, tokens: 0, costUsd: undefined, done: false };
  }

  get current(): RunState {
    return this.state;
  }

  /** Applies an event; returns the new state. */
  update(event: RLMEvent): RunState {
    const next: { -readonly [K in keyof RunState]: RunState[K] } = { ...this.state };
    switch (event.type) {
      case 'iteration-start':
        if (event.depth === 0) next.iteration = event.iteration;
        break;
      case 'model-response':
        next.tokens = event.totalUsage.total.totalTokens;
        next.costUsd = event.totalUsage.total.costUsd;
        break;
      case 'subcall-start':
        next.subcalls += 1;
        next.inFlight = event.inFlight;
        break;
      case 'subcall-end':
        next.inFlight = event.inFlight;
        next.tokens = event.totalUsage.total.totalTokens;
        next.costUsd = event.totalUsage.total.costUsd;
        break;
      case 'run-end':
        if (event.depth === 0) {
          next.done = true;
          next.tokens = event.result.usage.total.totalTokens;
          next.costUsd = event.result.costUsd;
        }
        break;
      default:
        break;
    }
    const line = this.narrator.describe(event);
    // Core's line without its full stop: it is one part of the status line.
    if (line !== undefined) next.action = line.replace(/\.$/, '');
    this.state = next;
    return next;
  }

  /** `Iteration 2: running code block 1 · 3 sub-calls in flight · 12,345 tokens · $0.0123 · 4.2s` */
  summary(now = Date.now()): string {
    const state = this.state;
    const parts = [
      state.action,
      state.inFlight > 0 ? `${plural(state.inFlight, 'sub-call')} in flight` : undefined,
      state.subcalls > 0 ? `${plural(state.subcalls, 'sub-call')} total` : undefined,
      `${formatInteger(state.tokens)} tokens`,
      formatUsd(state.costUsd),
      formatDuration(now - state.startedAt),
    ];
    return parts.filter((part) => part !== undefined).join(' · ');
  }
}
