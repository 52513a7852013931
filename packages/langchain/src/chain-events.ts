import type { RLMEvent, RLMResult } from '@rlms/core';

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

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function size(chars: number): string {
  if (chars < 10_000) return `${chars} chars`;
  if (chars < 10_000_000) return `${Math.round(chars / 1000)}k chars`;
  return `${(chars / 1_000_000).toFixed(1)}M chars`;
}

/**
 * One line of text describing an event, for the `progress` chunks of `RLMChain.stream()`, or
 * `undefined` for events not worth a line (sub-call starts, model responses, the root run's end).
 */
export function progressLine(event: RLMEvent): string | undefined {
  const where = event.depth === 0 ? '' : `[child run, depth ${event.depth}] `;
  switch (event.type) {
    case 'run-start':
      return `${where}RLM started on a ${event.context.type} context of ${size(event.context.totalChars)}${event.context.type === 'str' ? '' : ` (${event.context.length} items)`}\n`;
    case 'iteration-start':
      return `${where}iteration ${event.iteration}: asking the root model\n`;
    case 'code-execution-end': {
      const outcome = event.result.final !== undefined
        ? 'FINAL'
        : event.result.error !== undefined
          ? `${event.result.error.type}`
          : event.result.timedOut
            ? 'timed out'
            : 'ok';
      return `${where}iteration ${event.iteration}: code block ${event.block + 1} ran in ${seconds(event.result.durationMs)} (${outcome})\n`;
    }
    case 'subcall-end':
      return `${where}sub-call ${event.op} → ${event.target} took ${seconds(event.durationMs)}${event.error === undefined ? '' : ` (error: ${event.error})`}\n`;
    case 'budget-exhausted':
      return `${where}budget exhausted (${event.reason}): ${event.detail}; asking for a final answer\n`;
    case 'sandbox-restart':
      return `${where}sandbox restarted: ${event.reason}\n`;
    case 'run-end':
      return event.depth === 0 ? undefined : `${where}child run ended: ${event.result.status}\n`;
    default:
      return undefined;
  }
}
