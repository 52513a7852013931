import { ConfigurationError, redactSecrets, type RLM } from '@rlms/core';

/**
 * One line of the server's log. Never contains request bodies or headers; messages are passed
 * through `redactSecrets` (the server's keys, key shapes, URL credentials) before they get here.
 */
export interface ServerLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  /** What happened: `'listening'`, `'request'`, `'run-end'`, `'shutdown'`… */
  readonly event: string;
  /** A readable one-line summary. */
  readonly message: string;
  /** Structured details (method, path, status, durationMs, tokens…). */
  readonly fields?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * What the server needs of an RLM: `query` (an RLM from `createRLM`, or the `rlms` package's
 * `RecursiveLanguageModel`), and optionally `close()` to free shared sandbox resources at shutdown.
 */
export interface ServableRLM {
  readonly query: RLM['query'];
  close?(): Promise<void>;
}

/** Settings of `createRLMServer`. Sizes are in bytes or characters, durations in milliseconds. */
export interface RLMServerSettings {
  /** The RLM answering every request (shared: its queries are independent). Give this or `createRLM`. */
  readonly rlm?: ServableRLM;
  /** Builds an RLM per request, for a fresh model or sandbox provider each time. Give this or `rlm`. */
  readonly createRLM?: () => ServableRLM;
  /**
   * Bearer tokens accepted in `Authorization: Bearer <key>`. Required: pass `'none'` to serve without
   * authentication (only do that on a trusted network). Keys are compared in constant time and never logged.
   */
  readonly apiKeys: readonly string[] | 'none';
  /** The model id served, listed by `GET /v1/models` and echoed in responses. Default `'rlm'`. */
  readonly modelName?: string;
  /** Largest request body accepted; bigger bodies get 413 (without being read). Default 67 108 864 (64 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Most request-body bytes held at once across all requests still being read (bodies are read
   * before a run slot is taken). A request that would pass it gets 503 with `retry-after`. Default
   * 268 435 456 (256 MiB); at least `maxBodyBytes`.
   */
  readonly maxPendingBodyBytes?: number;
  /** Time a client gets to send its request headers; slower ones get 408 and are disconnected. Default 30 000. */
  readonly headersTimeoutMs?: number;
  /**
   * Time a client gets to send its whole body once the headers are in; a slower (or stalled) body
   * gets 408, the connection is closed and what was read is dropped. Default 60 000.
   */
  readonly bodyTimeoutMs?: number;
  /** Largest `response_format` JSON Schema, in bytes of JSON; bigger ones get 400. Default 262 144 (256 KiB). */
  readonly maxSchemaBytes?: number;
  /** Deepest nesting of subschemas in a `response_format` schema; deeper ones get 400. Default 32. */
  readonly maxSchemaDepth?: number;
  /**
   * Most subschemas in a `response_format` schema (every property, `items`, `anyOf`/`oneOf`/`allOf`
   * option and `$defs` entry counts); more get 400. Default 5 000.
   */
  readonly maxSchemaSubschemas?: number;
  /**
   * Time one check of an answer against a client's schema may take. Checks run in a worker thread
   * (never on the thread answering requests); past this the worker is stopped and the model is told
   * its answer could not be checked. Default 10 000.
   */
  readonly schemaValidationTimeoutMs?: number;
  /** Runs in flight at once; more requests get 429 with `retry-after`. Default 4. */
  readonly maxConcurrentRuns?: number;
  /**
   * Message text longer than this many characters is moved into the RLM's `context` instead of the
   * question (see the README for the whole rule). Default 4 000.
   */
  readonly contextThresholdChars?: number;
  /** Seconds sent in `retry-after` with a 429. Default 2. */
  readonly retryAfterSeconds?: number;
  /** How long `close()` lets running requests finish before aborting them. Default 30 000. */
  readonly shutdownGraceMs?: number;
  /** Interval of SSE keep-alive comments while a streamed run is quiet. Default 15 000. */
  readonly keepAliveMs?: number;
  /** Writes each run's trajectory JSON into this folder as `<completion id>.json` (view it with `rlms view`). */
  readonly trajectoryDir?: string;
  /** Receives log entries (requests, run ends, shutdown). Errors it throws are ignored. Default: no logging. */
  readonly onLog?: (entry: ServerLogEntry) => void;
}

/** Settings with defaults applied and validated. */
export interface ResolvedServerSettings {
  readonly getRLM: () => ServableRLM;
  readonly apiKeys: readonly string[] | 'none';
  readonly modelName: string;
  readonly maxBodyBytes: number;
  readonly maxPendingBodyBytes: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly maxSchemaBytes: number;
  readonly maxSchemaDepth: number;
  readonly maxSchemaSubschemas: number;
  readonly schemaValidationTimeoutMs: number;
  readonly maxConcurrentRuns: number;
  readonly contextThresholdChars: number;
  readonly retryAfterSeconds: number;
  readonly shutdownGraceMs: number;
  readonly keepAliveMs: number;
  readonly trajectoryDir: string | undefined;
  /** Values redacted from log lines: the server's own API keys. */
  readonly knownSecrets: readonly string[];
  readonly log: (entry: ServerLogEntry) => void;
}

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigurationError(`createRLMServer: \`${name}\` must be an integer ≥ ${min}; got ${String(value)}.`, { code: 'invalid-setting' });
  }
  return value;
}

/**
 * Applies defaults and validates. Throws `ConfigurationError` when neither `rlm` nor `createRLM` is
 * given, when `apiKeys` is missing or empty, or when a number is out of range.
 */
export function resolveServerSettings(settings: RLMServerSettings): ResolvedServerSettings {
  if (typeof settings !== 'object' || settings === null) {
    throw new ConfigurationError('createRLMServer: pass a settings object with `rlm` (or `createRLM`) and `apiKeys`.');
  }
  const { rlm, createRLM } = settings;
  if ((rlm === undefined) === (createRLM === undefined)) {
    throw new ConfigurationError('createRLMServer: give exactly one of `rlm` (an RLM from createRLM) or `createRLM` (a function returning one).', {
      code: 'missing-rlm',
    });
  }
  if (rlm !== undefined && typeof rlm.query !== 'function') {
    throw new ConfigurationError('createRLMServer: `rlm` must be an RLM created with createRLM() from @rlms/core.', { code: 'invalid-rlm' });
  }
  if (createRLM !== undefined && typeof createRLM !== 'function') {
    throw new ConfigurationError('createRLMServer: `createRLM` must be a function returning an RLM.', { code: 'invalid-rlm' });
  }
  const { apiKeys } = settings;
  if (apiKeys !== 'none') {
    if (!Array.isArray(apiKeys) || apiKeys.length === 0) {
      throw new ConfigurationError(
        "createRLMServer: `apiKeys` is required: pass the accepted bearer tokens (e.g. ['sk-…']), or apiKeys: 'none' to disable authentication explicitly.",
        { code: 'missing-api-keys' },
      );
    }
    for (const key of apiKeys) {
      if (typeof key !== 'string' || key.trim().length === 0 || /\s/.test(key)) {
        throw new ConfigurationError('createRLMServer: every API key must be a non-empty string without whitespace.', { code: 'invalid-api-key' });
      }
    }
  }
  const modelName = settings.modelName ?? 'rlm';
  if (typeof modelName !== 'string' || modelName.trim().length === 0) {
    throw new ConfigurationError('createRLMServer: `modelName` must be a non-empty string.', { code: 'invalid-setting' });
  }
  const onLog = settings.onLog;
  const maxBodyBytes = positiveInteger('maxBodyBytes', settings.maxBodyBytes, 64 * 1024 * 1024);
  const maxPendingBodyBytes = positiveInteger('maxPendingBodyBytes', settings.maxPendingBodyBytes, Math.max(256 * 1024 * 1024, maxBodyBytes), maxBodyBytes);
  const knownSecrets = apiKeys === 'none' ? [] : [...apiKeys];
  return {
    getRLM: rlm !== undefined ? () => rlm : createRLM!,
    apiKeys: apiKeys === 'none' ? 'none' : [...apiKeys],
    modelName,
    maxBodyBytes,
    maxPendingBodyBytes,
    headersTimeoutMs: positiveInteger('headersTimeoutMs', settings.headersTimeoutMs, 30_000),
    bodyTimeoutMs: positiveInteger('bodyTimeoutMs', settings.bodyTimeoutMs, 60_000),
    maxSchemaBytes: positiveInteger('maxSchemaBytes', settings.maxSchemaBytes, 256 * 1024),
    maxSchemaDepth: positiveInteger('maxSchemaDepth', settings.maxSchemaDepth, 32),
    maxSchemaSubschemas: positiveInteger('maxSchemaSubschemas', settings.maxSchemaSubschemas, 5_000),
    schemaValidationTimeoutMs: positiveInteger('schemaValidationTimeoutMs', settings.schemaValidationTimeoutMs, 10_000),
    maxConcurrentRuns: positiveInteger('maxConcurrentRuns', settings.maxConcurrentRuns, 4),
    contextThresholdChars: positiveInteger('contextThresholdChars', settings.contextThresholdChars, 4_000),
    retryAfterSeconds: positiveInteger('retryAfterSeconds', settings.retryAfterSeconds, 2),
    shutdownGraceMs: positiveInteger('shutdownGraceMs', settings.shutdownGraceMs, 30_000, 0),
    keepAliveMs: positiveInteger('keepAliveMs', settings.keepAliveMs, 15_000),
    trajectoryDir: settings.trajectoryDir,
    knownSecrets,
    log: (entry) => {
      try {
        onLog?.({ ...entry, message: redactSecrets(entry.message, knownSecrets) });
      } catch {
        // A logger's failure must not break a request.
      }
    },
  };
}
