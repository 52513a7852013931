const MARKER = 'rlms.error';
const SYMBOL = Symbol.for(MARKER);

/**
 * Base class of every error thrown by rlms packages. Check with `RLMError.isInstance(error)`
 * (or a subclass's `isInstance`) rather than `instanceof`: the check survives duplicate copies
 * of the package in a dependency tree.
 */
export class RLMError extends Error {
  private readonly [SYMBOL] = true;
  /** Stable machine-readable code, e.g. `'missing-api-key'`. */
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RLMError';
    this.code = options.code ?? 'rlm-error';
  }

  static isInstance(error: unknown): error is RLMError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[SYMBOL] === true;
  }
}

/** Builds the `isInstance` check for a subclass from its `name`, robust to duplicate package copies. */
export function hasErrorName(error: unknown, name: string): boolean {
  return RLMError.isInstance(error) && error.name === name;
}
