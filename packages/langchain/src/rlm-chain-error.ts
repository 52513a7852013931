import { RLMError, type RLMResult } from '@rlms/core';

/**
 * An `RLMChain` run ended with status `error`: the model provider or the sandbox failed for good
 * (after retries and sandbox restarts). `cause` is the underlying error (`ModelProviderError`,
 * `SandboxError`…); `result` holds the partial run (usage, trajectory) for debugging.
 */
export class RLMChainError extends RLMError {
  /** The run as it ended, trajectory included. */
  readonly result: RLMResult;

  constructor(result: RLMResult) {
    const detail = result.statusDetail ?? result.error?.message ?? 'unknown failure';
    super(
      `The RLM run failed after ${result.iterations} iteration(s): ${detail}. Check error.cause (the model or sandbox error) and error.result.trajectory (every step).`,
      { code: 'rlm-run-failed', cause: result.error },
    );
    this.name = 'RLMChainError';
    this.result = result;
  }

  static override isInstance(error: unknown): error is RLMChainError {
    return RLMError.isInstance(error) && error.name === 'RLMChainError';
  }
}
