import { RLMError } from '@rlms/core';

/** The file given to the viewer is not an rlms trajectory (not JSON, or missing `steps`/`runId`). */
export class TrajectoryFormatError extends RLMError {
  /** The file that was read, when the trajectory came from a file. */
  readonly path: string | undefined;
  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, { code: 'trajectory-format', cause: options.cause });
    this.name = 'TrajectoryFormatError';
    this.path = options.path;
  }
  static override isInstance(error: unknown): error is TrajectoryFormatError {
    return RLMError.isInstance(error) && error.name === 'TrajectoryFormatError';
  }
}
