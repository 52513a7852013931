import type { RLMEvent } from '@rlms/core';
import type { SseStream } from './sse-stream.js';

/** Least time between two "sub-calls done" comments, so thousands of sub-calls stay a trickle. */
const SUBCALL_COMMENT_INTERVAL_MS = 1_000;

/**
 * Turns run events into SSE comment lines (`: rlm iteration 2 (depth 0)`): progress a person can read
 * with `curl -N`, ignored by OpenAI clients, and a keep-alive for proxies during long runs.
 */
export function streamProgress(sse: SseStream): (event: RLMEvent) => void {
  let subcallsDone = 0;
  let lastSubcallComment = 0;
  return (event) => {
    switch (event.type) {
      case 'run-start':
        if (event.depth === 0) sse.comment(`rlm run started (context: ${event.context.type}, ${event.context.totalChars} chars)`);
        else sse.comment(`rlm child run started (depth ${event.depth})`);
        break;
      case 'iteration-start':
        sse.comment(`rlm iteration ${event.iteration} (depth ${event.depth})`);
        break;
      case 'code-execution-end':
        sse.comment(
          `rlm code block ${event.block + 1} ran in ${Math.round(event.result.durationMs)} ms${event.result.error === undefined ? '' : ` (raised ${event.result.error.type})`}`,
        );
        break;
      case 'subcall-end': {
        subcallsDone++;
        const now = Date.now();
        if (now - lastSubcallComment >= SUBCALL_COMMENT_INTERVAL_MS) {
          lastSubcallComment = now;
          sse.comment(`rlm sub-calls done: ${subcallsDone}`);
        }
        break;
      }
      case 'budget-exhausted':
        sse.comment(`rlm ${event.reason}: ${event.detail}`);
        break;
      case 'sandbox-restart':
        sse.comment('rlm sandbox restarted');
        break;
      default:
        break;
    }
  };
}
