import { RLMEventNarrator, type RLMEvent } from '@rlms/core';
import type { SseStream } from './sse-stream.js';

/**
 * Turns run events into SSE comment lines (`: [rlm] Iteration 2: asking the root model.`): progress
 * a person can read with `curl -N`, ignored by OpenAI clients, and a keep-alive for proxies during
 * long runs. The words are core's ({@link RLMEventNarrator}): a batch of sub-calls gives one line
 * when it starts and one when its last call ends, so thousands of sub-calls stay a trickle.
 */
export function streamProgress(sse: SseStream): (event: RLMEvent) => void {
  // Upstream error text (provider URLs, key fragments) stays in the server log, not in clients' streams.
  const narrator = new RLMEventNarrator({ label: 'rlm', errorMessages: false });
  return (event) => {
    const line = narrator.describe(event);
    if (line !== undefined) sse.comment(line);
  };
}
