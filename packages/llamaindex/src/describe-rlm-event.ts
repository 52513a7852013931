import type { RLMEvent } from '@rlms/core';

const formatNumber = (value: number) => value.toLocaleString('en-US');

/**
 * One human-readable progress line for an RLM event, e.g. `'Iteration 2: running code block 1.'`,
 * or `undefined` for events not worth a line (a sub-call starting). Child runs' lines start with
 * their depth, e.g. `'[depth 1] Iteration 1: asking the root model.'`.
 */
export function describeRLMEvent(event: RLMEvent): string | undefined {
  const prefix = event.depth > 0 ? `[depth ${event.depth}] ` : '';
  switch (event.type) {
    case 'run-start': {
      const { type, length, totalChars } = event.context;
      const what = type === 'dict' ? `${formatNumber(length)} documents` : type === 'list' ? `${formatNumber(length)} items` : 'one text';
      return `${prefix}Loaded ${what} (${formatNumber(totalChars)} characters) into the REPL.`;
    }
    case 'iteration-start':
      return `${prefix}Iteration ${event.iteration}: asking the root model.`;
    case 'model-response':
      return `${prefix}Iteration ${event.iteration}: the model replied (${formatNumber(event.totalUsage.total.totalTokens)} tokens so far).`;
    case 'code-execution-start':
      return `${prefix}Iteration ${event.iteration}: running code block ${event.block + 1}.`;
    case 'code-execution-end': {
      const { result } = event;
      const outcome =
        result.final !== undefined ? 'produced the final answer' : result.timedOut === true ? 'timed out' : result.error !== undefined ? `raised ${result.error.type}` : 'finished';
      return `${prefix}Iteration ${event.iteration}: code block ${event.block + 1} ${outcome}.`;
    }
    case 'subcall-start':
      return undefined;
    case 'subcall-end':
      return `${prefix}Sub-call ${event.op} (${event.target}) ${event.error === undefined ? 'answered' : `failed: ${event.error}`}.`;
    case 'budget-exhausted':
      return `${prefix}Stopping (${event.detail}); asking for the best answer so far.`;
    case 'sandbox-restart':
      return `${prefix}The REPL was restarted: ${event.reason}.`;
    case 'run-end':
      return `${prefix}Done (${event.result.status}) after ${event.result.iterations} iterations and ${formatNumber(event.result.subcalls)} sub-calls.`;
    default:
      return undefined;
  }
}
