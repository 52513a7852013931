/**
 * How a run ended:
 * - `completed`: code called FINAL/FINAL_VAR (or the model wrote a text FINAL with no code);
 * - `max_iterations`: `maxIterations` root calls without a FINAL; the answer comes from one last "answer now" call;
 * - `budget_exhausted`: `maxTotalTokens`, `maxCostUsd` or `maxSubcalls` reached; same last call;
 * - `timeout`: `timeoutMs` elapsed; same last call;
 * - `aborted`: the `abortSignal` fired; no further call is made;
 * - `error`: the model provider or the sandbox failed for good; `error` says how.
 */
export type RunStatus = 'completed' | 'max_iterations' | 'budget_exhausted' | 'timeout' | 'aborted' | 'error';
