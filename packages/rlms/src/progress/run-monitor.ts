import type { RLMEvent } from '@rlms/core';
import { formatDuration, formatInteger, formatUsd } from './format.js';

/** Live state of a run, folded from its events: what progress displays show. */
export interface RunState {
  readonly startedAt: number;
  /** Root iteration (1-based; 0 before the first). */
  readonly iteration: number;
  /** What the run is doing now, in a few words. */
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

/** Folds run events into a {@link RunState}. */
export class RunMonitor {
  private state: RunState;
  /** The root run is a direct call (from its `run-start` event's `mode`). */
  private direct = false;

  constructor(now = Date.now()) {
    this.state = { startedAt: now, iteration: 0, action: 'starting', inFlight: 0, subcalls: 0, tokens: 0, costUsd: undefined, done: false };
  }

  get current(): RunState {
    return this.state;
  }

  /** Applies an event; returns the new state. */
  update(event: RLMEvent): RunState {
    const next: { -readonly [K in keyof RunState]: RunState[K] } = { ...this.state };
    const where = event.depth === 0 ? '' : ` (child run, depth ${event.depth})`;
    switch (event.type) {
      case 'run-start':
        if (event.depth === 0) {
          this.direct = event.mode === 'direct';
          next.action = this.direct ? 'direct call' : 'starting the sandbox';
        }
        break;
      case 'iteration-start':
        if (event.depth === 0) next.iteration = event.iteration;
        next.action = this.direct ? 'waiting for the model (direct call)' : `waiting for the model${where}`;
        break;
      case 'model-response':
        next.tokens = event.totalUsage.total.totalTokens;
        next.costUsd = event.totalUsage.total.costUsd;
        next.action = `model answered${where}`;
        break;
      case 'code-execution-start':
        next.action = `running code${where}`;
        break;
      case 'code-execution-end':
        next.action = event.result.final !== undefined ? `final answer${where}` : `code finished${where}`;
        break;
      case 'subcall-start':
        next.subcalls += 1;
        next.inFlight = event.inFlight;
        next.action = event.op === 'tool' ? `tool ${event.target}${where}` : `sub-calls${where}`;
        break;
      case 'subcall-end':
        next.inFlight = event.inFlight;
        next.tokens = event.totalUsage.total.totalTokens;
        next.costUsd = event.totalUsage.total.costUsd;
        if (event.inFlight === 0) next.action = `sub-calls done${where}`;
        break;
      case 'budget-exhausted':
        // A direct run has nothing to answer from: it ends without a closing call.
        next.action = this.direct ? `limit reached (${event.reason})` : `limit reached (${event.reason}), asking for the final answer`;
        break;
      case 'sandbox-start':
        next.action = `starting the ${event.sandbox} sandbox${where}`;
        break;
      case 'sandbox-ready':
        next.action = `running code${where}`;
        break;
      case 'sandbox-restart':
        next.action = 'restarting the sandbox';
        break;
      case 'run-end':
        if (event.depth === 0) {
          next.done = true;
          next.action = event.result.status;
          next.tokens = event.result.usage.total.totalTokens;
          next.costUsd = event.result.costUsd;
        }
        break;
    }
    this.state = next;
    return next;
  }

  /** `iteration 2 · running code · 3 sub-calls in flight · 12,345 tokens · $0.0123 · 4.2s` */
  summary(now = Date.now()): string {
    const state = this.state;
    const parts = [
      state.iteration === 0 ? undefined : `iteration ${state.iteration}`,
      state.action,
      state.inFlight > 0 ? `${state.inFlight} sub-call${state.inFlight === 1 ? '' : 's'} in flight` : undefined,
      state.subcalls > 0 ? `${formatInteger(state.subcalls)} sub-call${state.subcalls === 1 ? '' : 's'} total` : undefined,
      `${formatInteger(state.tokens)} tokens`,
      formatUsd(state.costUsd),
      formatDuration(now - state.startedAt),
    ];
    return parts.filter((part) => part !== undefined).join(' · ');
  }
}
