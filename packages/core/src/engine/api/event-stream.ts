import type { RLMEvent } from './events.js';
import { EventQueue } from './event-queue.js';

/** A run as an async iterable of its events, with its result. */
export interface EventStream<TResult> extends AsyncIterable<RLMEvent> {
  /** Resolves with the run's result (rejects as the run does). */
  readonly result: Promise<TResult>;
}

/**
 * Starts a run and streams its events: `start` receives the listener to pass as the run's
 * `onEvent` (it also calls `onEvent`, the caller's own listener, first). The iterator ends after
 * the run's last event and throws when the run rejects; `result` never crashes the process
 * unobserved.
 */
export function streamEvents<TResult>(start: (onEvent: (event: RLMEvent) => void) => Promise<TResult>, onEvent?: (event: RLMEvent) => void): EventStream<TResult> {
  const queue = new EventQueue<RLMEvent>();
  const result = start((event) => {
    onEvent?.(event);
    queue.push(event);
  });
  result.then(
    () => queue.end(),
    (error: unknown) => queue.fail(error),
  );
  // The iterator surfaces failures; keep an unobserved `result` from crashing the process.
  result.catch(() => undefined);
  return { result, [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
}
