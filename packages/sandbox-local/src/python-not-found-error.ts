import { RLMError, SandboxError } from '@rlms/core/spec';

/**
 * The Python interpreter for the local sandbox is missing or too old (the runtime needs
 * Python ≥ 3.10). `code` is `'python-not-found'` or `'python-too-old'`; the message says how to fix it.
 */
export class PythonNotFoundError extends SandboxError {
  /** The interpreter that was tried (`pythonPath` setting, `RLMS_PYTHON`, or `python3`). */
  readonly pythonPath: string;

  constructor(pythonPath: string, options: { tooOld?: boolean; detail?: string; cause?: unknown } = {}) {
    const what =
      options.tooOld === true
        ? `The Python at ${JSON.stringify(pythonPath)} is older than 3.10, which the rlms runtime needs`
        : `Python was not found: could not run ${JSON.stringify(pythonPath)}`;
    super(
      `${what}${options.detail === undefined ? '' : ` (${options.detail})`}. Install Python 3.10 or newer ` +
        '(e.g. `apt install python3`, `brew install python`), or point the local sandbox at an interpreter with ' +
        'createLocalSandbox({ pythonPath: "/path/to/python3" }) or the RLMS_PYTHON environment variable.',
      { sandbox: 'local', code: options.tooOld === true ? 'python-too-old' : 'python-not-found', cause: options.cause },
    );
    this.name = 'PythonNotFoundError';
    this.pythonPath = pythonPath;
  }

  static override isInstance(error: unknown): error is PythonNotFoundError {
    return RLMError.isInstance(error) && error.name === 'PythonNotFoundError';
  }
}
