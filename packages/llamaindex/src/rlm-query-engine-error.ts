import { RLMError, type RLMResult } from '@rlms/core';

/**
 * An `RLMQueryEngine` query ended with status `error`: the model provider or the sandbox failed for
 * good (after retries and sandbox restarts). `cause` is the underlying error (`ModelProviderError`,
 * `SandboxError`…); `result` holds the run as it ended (usage, trajectory) for debugging.
 */
export class RLMQueryEngineError extends RLMError {
  /** The run as it ended, trajectory included. */
  readonly result: RLMResult;

  constructor(result: RLMResult) {
    const detail = result.error?.message ?? result.statusDetail ?? 'unknown failure';
    super(
      `The RLM query failed after ${result.iterations} iteration(s): ${detail}. See error.cause (the model or sandbox error) and error.result.trajectory (every step).`,
      { code: 'rlm-query-failed', cause: result.error },
    );
    this.name = 'RLMQueryEngineError';
    this.result = result;
  }

  static override isInstance(error: unknown): error is RLMQueryEngineError {
    return RLMError.isInstance(error) && error.name === 'RLMQueryEngineError';
  }
}
