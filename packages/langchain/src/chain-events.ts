import { RLMEventNarrator, type RLMEvent, type RLMResult } from '@rlms/core';

/** Prefix of the custom event names `RLMChain` dispatches: `rlm:run-start`, `rlm:iteration-start`, `rlm:subcall-end`… */
export const RLM_EVENT_PREFIX = 'rlm:';

/** A finished run as sent in the `rlm:run-end` custom event (the trajectory is left out). */
export interface RunEndSummary {
  /** The answer: a string, or the typed value of a run with an answer schema. */
  readonly answer: unknown;
  readonly status: RLMResult['status'];
  readonly statusDetail?: string;
  readonly iterations: number;
  readonly subcalls: number;
  readonly durationMs: number;
  readonly usage: RLMResult['usage'];
  readonly costUsd: number | undefined;
}

/**
 * The payload of a custom event: the rlms event as it is, except `run-end`, whose `result` is
 * reduced to a {@link RunEndSummary} (the trajectory can hold the whole context).
 */
export function customEventPayload(event: RLMEvent): Record<string, unknown> {
  if (event.type !== 'run-end') return { ...event };
  const { result, ...rest } = event;
  const summary: RunEndSummary = {
    answer: result.answer,
    status: result.status,
    ...(result.statusDetail === undefined ? {} : { statusDetail: result.statusDetail }),
    iterations: result.iterations,
    subcalls: result.subcalls,
    durationMs: result.durationMs,
    usage: result.usage,
    costUsd: result.costUsd,
  };
  return { ...rest, result: summary };
}

/**
 * A line-maker for the `progress` chunks of one `RLMChain.stream()` run: core's words
 * ({@link RLMEventNarrator}: one line per step, one per batch of sub-calls) ending in `\n`, or
 * `undefined` for events not worth a line and for the root run's end (the output chunk follows).
 */
export function progressLines(): (event: RLMEvent) => string | undefined {
  const narrator = new RLMEventNarrator();
  return (event) => {
    if (event.type === 'run-end' && event.depth === 0) return undefined;
    const line = narrator.describe(event);
    return line === undefined ? undefined : `${line}\n`;
  };
}
