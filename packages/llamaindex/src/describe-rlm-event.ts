/**
 * One human-readable progress line for an RLM event, e.g. `'Iteration 2: running code block 1.'`,
 * or `undefined` for events not worth a line: core's words, re-exported for this package's users.
 * `RLMQueryEngine` streams core's `RLMEventNarrator` lines, which word a batch of sub-calls as one line.
 */
export { describeRLMEvent } from '@rlms/core';
