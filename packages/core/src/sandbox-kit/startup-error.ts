import { ConfigurationError, RLMError, SandboxError } from '../errors/index.js';
import { raceAbort } from '../adapters/race-abort.js';

/** How one cloud sandbox recognises and explains a failure to start a session. */
export interface StartupErrorOptions {
  /** Sandbox name for `SandboxError.sandbox` (`'e2b'`, `'modal'`…). */
  readonly sandbox: string;
  /** Whether the SDK's error means the credentials were refused. */
  readonly isAuthError: (error: unknown) => boolean;
  /** Start of the message for refused credentials, e.g. `'E2B rejected the API key'`. */
  readonly rejected: string;
  /** What to check, e.g. ``'Check the E2B_API_KEY environment variable or the `apiKey` setting of createE2BSandbox.'`` */
  readonly fix: string;
}

/**
 * Makes the function a cloud sandbox uses to turn an SDK failure while starting a session into an
 * rlms error that says what to do: rlms errors pass through unchanged; refused credentials become
 * a `ConfigurationError` (`code: 'invalid-api-key'`); anything else a `SandboxError`
 * (`code: 'startup-failed'`, "Could not <step>: <message>"). The SDK error is kept as `cause`.
 *
 * @example
 * const startupError = startupErrorFor({ sandbox: 'e2b', isAuthError, rejected: 'E2B rejected the API key', fix });
 * throw startupError(error, 'create an E2B sandbox');
 */
export function startupErrorFor(options: StartupErrorOptions): (error: unknown, step: string) => Error {
  return (error, step) => {
    if (RLMError.isInstance(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (options.isAuthError(error)) {
      return new ConfigurationError(`${options.rejected} (${message}). ${options.fix}`, { code: 'invalid-api-key', cause: error });
    }
    return new SandboxError(`Could not ${step}: ${message}`, { sandbox: options.sandbox, code: 'startup-failed', cause: error });
  };
}

/** Options of {@link startupStep}. */
export interface StartupStepOptions<T> {
  /** What the step does, for the error message: "Could not <step>: …". */
  readonly step: string;
  /** The provider's {@link startupErrorFor} function. */
  readonly startupError: (error: unknown, step: string) => Error;
  readonly abortSignal?: AbortSignal | undefined;
  /** Message of the `RLMAbortError` when `abortSignal` fires first. */
  readonly abortMessage: string;
  /** Frees a result that arrives after the abort (kill the sandbox, close the transport). */
  readonly onLate?: (late: T) => void;
  /** Runs before the error is thrown (free what earlier steps made); its own errors are ignored. */
  readonly onFailure?: (error: unknown) => void | Promise<void>;
}

/**
 * One step of starting a cloud session (create the sandbox, launch the runtime): awaits `work`
 * unless `abortSignal` fires first (a late result goes to `onLate`, so nothing leaks), and on
 * failure runs `onFailure` and throws `startupError(error, step)`.
 *
 * @throws RLMAbortError `abortSignal` fired (passed through `startupError` unchanged).
 * @throws ConfigurationError or SandboxError as `startupError` maps the SDK's error.
 */
export async function startupStep<T>(work: PromiseLike<T>, options: StartupStepOptions<T>): Promise<T> {
  try {
    return await raceAbort(work, options.abortSignal, {
      message: options.abortMessage,
      ...(options.onLate === undefined ? {} : { onLate: options.onLate }),
    });
  } catch (error) {
    try {
      await options.onFailure?.(error);
    } catch {
      // the step's own error is the one to report
    }
    throw options.startupError(error, options.step);
  }
}
