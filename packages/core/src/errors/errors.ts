import { RLMError, hasErrorName } from './rlm-error.js';

/** A setting is missing or invalid (no API key, unknown model, bad option). The message names the fix. */
export class ConfigurationError extends RLMError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'configuration', cause: options.cause });
    this.name = 'ConfigurationError';
  }
  static override isInstance(error: unknown): error is ConfigurationError {
    return hasErrorName(error, 'ConfigurationError');
  }
}

/** The input context cannot be loaded (empty, not serialisable, too large for the sandbox). */
export class ContextError extends RLMError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'context', cause: options.cause });
    this.name = 'ContextError';
  }
  static override isInstance(error: unknown): error is ContextError {
    return hasErrorName(error, 'ContextError');
  }
}

/**
 * A model backend failed. Providers classify, they do not retry: `retryable` tells the engine whether
 * the same call may be tried again (429, 5xx, resets) and `retryAfterMs` how long the backend asked
 * to wait. The engine is the one retry owner (`maxRetries`, `retryBaseDelayMs`, `retryMaxDelayMs`;
 * `generateWithRetries` outside a run), so retries never multiply across layers.
 */
export class ModelProviderError extends RLMError {
  readonly provider: string;
  readonly modelId: string;
  /** HTTP status when the backend speaks HTTP. */
  readonly statusCode: number | undefined;
  readonly retryable: boolean;
  /** Milliseconds the backend asked us to wait (from `retry-after`), when given. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: {
      provider: string;
      modelId: string;
      statusCode?: number;
      retryable?: boolean;
      retryAfterMs?: number;
      code?: string;
      cause?: unknown;
    },
  ) {
    super(message, { code: options.code ?? 'model-provider', cause: options.cause });
    this.name = 'ModelProviderError';
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.statusCode = options.statusCode;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
  static override isInstance(error: unknown): error is ModelProviderError {
    return hasErrorName(error, 'ModelProviderError');
  }
}

/** A sandbox failed outside the executed code (could not start, lost its process, broke the protocol). */
export class SandboxError extends RLMError {
  /** Sandbox provider name (`'local'`, `'docker'`…). */
  readonly sandbox: string;
  constructor(message: string, options: { sandbox: string; code?: string; cause?: unknown }) {
    super(message, { code: options.code ?? 'sandbox', cause: options.cause });
    this.name = 'SandboxError';
    this.sandbox = options.sandbox;
  }
  static override isInstance(error: unknown): error is SandboxError {
    return RLMError.isInstance(error) && (error as { sandbox?: unknown }).sandbox !== undefined;
  }
}

/**
 * The session's interpreter is gone (killed after a timeout it ignored, crashed, out of memory,
 * container removed). Its Python state is lost; create a new session to continue.
 */
export class SandboxSessionDeadError extends SandboxError {
  /** Why it died: `'timeout'`, `'crashed'`, `'out-of-memory'`, `'destroyed'`, `'aborted'`. */
  readonly reason: 'timeout' | 'crashed' | 'out-of-memory' | 'destroyed' | 'aborted';
  constructor(
    message: string,
    options: {
      sandbox: string;
      reason: SandboxSessionDeadError['reason'];
      cause?: unknown;
    },
  ) {
    super(message, { sandbox: options.sandbox, code: `session-dead:${options.reason}`, cause: options.cause });
    this.name = 'SandboxSessionDeadError';
    this.reason = options.reason;
  }
  static override isInstance(error: unknown): error is SandboxSessionDeadError {
    return hasErrorName(error, 'SandboxSessionDeadError');
  }
}

/** The sandbox and the host disagreed on the wire protocol (malformed frame, unknown id). */
export class ProtocolError extends SandboxError {
  constructor(message: string, options: { sandbox: string; cause?: unknown }) {
    super(message, { sandbox: options.sandbox, code: 'protocol', cause: options.cause });
    this.name = 'ProtocolError';
  }
  static override isInstance(error: unknown): error is ProtocolError {
    return hasErrorName(error, 'ProtocolError');
  }
}

/** The operation was aborted through an `AbortSignal`. `name` is `'AbortError'` like the platform's. */
export class RLMAbortError extends RLMError {
  constructor(message = 'The operation was aborted.', options: { cause?: unknown } = {}) {
    super(message, { code: 'aborted', cause: options.cause });
    this.name = 'AbortError';
  }
  static override isInstance(error: unknown): error is RLMAbortError {
    return hasErrorName(error, 'AbortError');
  }
}

/** True for any abort: ours, the platform's `DOMException`, or an SDK's error named `AbortError`. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'AbortError' || (error as { name?: unknown }).name === 'APIUserAbortError')
  );
}

/** The model's final answer did not match the query's `schema`, even after the allowed retries. */
export class AnswerValidationError extends RLMError {
  /** What did not match, one sentence per issue, prefixed with the field path. */
  readonly issues: readonly string[];
  constructor(message: string, options: { issues: readonly string[]; cause?: unknown }) {
    super(message, { code: 'answer-validation', cause: options.cause });
    this.name = 'AnswerValidationError';
    this.issues = options.issues;
  }
  static override isInstance(error: unknown): error is AnswerValidationError {
    return hasErrorName(error, 'AnswerValidationError');
  }
}
