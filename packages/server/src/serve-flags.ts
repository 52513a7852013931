import { readFile } from 'node:fs/promises';
import type { ParseArgsOptionsConfig } from 'node:util';

/** A command-line mistake: printed with a pointer to `--help`, exit code 2. */
export class ServeUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServeUsageError';
  }
}

/** The flags `rlms serve` itself reads (the CLI may add more through `runServeCommand`'s `options`). */
export const SERVE_OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'api-key-file': { type: 'string' },
  'no-auth': { type: 'boolean' },
  'max-body': { type: 'string' },
  'body-timeout': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'max-schema-size': { type: 'string' },
  'max-schema-depth': { type: 'string' },
  'max-schema-subschemas': { type: 'string' },
  'schema-timeout': { type: 'string' },
  'max-concurrency': { type: 'string' },
  'model-name': { type: 'string' },
  'context-threshold': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'trajectory-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/** Environment variable with comma-separated API keys, read in addition to `--api-key-file`. */
export const API_KEYS_ENV = 'RLMS_SERVE_API_KEYS';

/** `rlms serve --help`. */
export const SERVE_HELP = `Usage: rlms serve [options]

Serves the RLM as an OpenAI-compatible API: POST /v1/chat/completions (stream or not),
GET /v1/models, GET /health. Point any OpenAI client's base URL at http://HOST:PORT/v1.

Options:
  -p, --port <n>              port to listen on (default 8080; 0 lets the OS pick)
      --host <addr>           address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
      --api-key-file <path>   accepted bearer tokens, one per line ('#' comments allowed);
                              keys in ${API_KEYS_ENV} (comma-separated) are accepted too
      --no-auth               serve without authentication (required when no key is given)
      --max-body <size>       largest request body: bytes, or with k/m/g (default 64m)
      --body-timeout <dur>    time to send the whole body; slower requests get 408 (default 60s)
      --headers-timeout <dur> time to send the request headers (default 30s)
      --max-schema-size <size>
                              largest response_format JSON Schema (default 256k)
      --max-schema-depth <n>  deepest nesting of subschemas in it (default 32)
      --max-schema-subschemas <n>
                              most subschemas in it (default 5000)
      --schema-timeout <dur>  time to check one answer against it, off the main thread (default 10s)
      --max-concurrency <n>   RLM runs at once; more requests get 429 (default 4)
      --model-name <id>       model id served and echoed (default "rlm")
      --context-threshold <n> message text longer than n chars goes into the context (default 4000)
      --shutdown-grace <dur>  on SIGTERM, time runs get to finish before being aborted (default 30s)
      --trajectory-dir <dir>  save each run's trajectory as <dir>/<completion id>.json (mode 0600)
  -q, --quiet                 no request log on stderr
  -h, --help                  this help

A second SIGTERM/SIGINT aborts the running requests at once.
`;

/** Parsed server flags. */
export interface ParsedServeFlags {
  readonly port: number;
  readonly host: string;
  readonly apiKeys: readonly string[] | 'none';
  readonly maxBodyBytes: number | undefined;
  readonly bodyTimeoutMs: number | undefined;
  readonly headersTimeoutMs: number | undefined;
  readonly maxSchemaBytes: number | undefined;
  readonly maxSchemaDepth: number | undefined;
  readonly maxSchemaSubschemas: number | undefined;
  readonly schemaValidationTimeoutMs: number | undefined;
  readonly maxConcurrentRuns: number | undefined;
  readonly modelName: string | undefined;
  readonly contextThresholdChars: number | undefined;
  readonly shutdownGraceMs: number | undefined;
  readonly trajectoryDir: string | undefined;
  readonly quiet: boolean;
}

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.replaceAll('_', '');
  if (!/^\d+$/.test(text) || Number(text) < min) throw new ServeUsageError(`--${flag} must be an integer ≥ ${min}; got "${value}".`);
  return Number(text);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a size: `1048576`, `512k`, `64m`, `64MiB`, `1g` (binary units). */
export function parseSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?$/i.exec(value.trim());
  const bytes = match === null ? NaN : Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
  if (!Number.isFinite(bytes) || bytes < 1) throw new ServeUsageError(`--${flag} must be a size such as 1048576, 512k, 64m or 1g; got "${value}".`);
  return bytes;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration: `30` (seconds), `30s`, `2m`, `500ms`. Returns milliseconds. */
export function parseDuration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null) throw new ServeUsageError(`--${flag} must be a duration such as 30 (seconds), 30s, 2m or 500ms; got "${value}".`);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
}

/** A duration of at least one millisecond. */
function positiveDuration(flag: string, value: string | undefined): number | undefined {
  const ms = parseDuration(flag, value);
  if (ms !== undefined && ms < 1) throw new ServeUsageError(`--${flag} must be at least 1ms; got "${value}".`);
  return ms;
}

/** Reads keys from a file: one per line, blank lines and `#` comments skipped. */
async function readKeyFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ServeUsageError(`--api-key-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  if (keys.some((key) => /\s/.test(key))) throw new ServeUsageError(`--api-key-file: ${path} has a line with spaces; put one key per line.`);
  if (keys.length === 0) throw new ServeUsageError(`--api-key-file: ${path} holds no key; put one key per line.`);
  return keys;
}

/** Turns parsed flag values (and the environment) into server settings. */
export async function resolveServeFlags(
  values: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ParsedServeFlags> {
  const str = (name: string) => values[name] as string | undefined;
  const fileKeys = str('api-key-file') === undefined ? [] : await readKeyFile(str('api-key-file')!);
  const envKeys = (env[API_KEYS_ENV] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  const keys = [...new Set([...fileKeys, ...envKeys])];
  const noAuth = values['no-auth'] === true;
  if (noAuth && keys.length > 0) {
    throw new ServeUsageError(`--no-auth conflicts with the API keys given (--api-key-file or ${API_KEYS_ENV}): drop one.`);
  }
  if (!noAuth && keys.length === 0) {
    throw new ServeUsageError(
      `rlms serve needs API keys: pass --api-key-file FILE (one key per line) or set ${API_KEYS_ENV}=key1,key2; or pass --no-auth to serve without authentication.`,
    );
  }
  const host = str('host') ?? '127.0.0.1';
  if (host.trim().length === 0) throw new ServeUsageError('--host must not be empty.');
  const port = integer('port', str('port'), 0) ?? 8080;
  if (port > 65_535) throw new ServeUsageError(`--port must be at most 65535; got ${port}.`);
  return {
    port,
    host,
    apiKeys: noAuth ? 'none' : keys,
    maxBodyBytes: parseSize('max-body', str('max-body')),
    bodyTimeoutMs: positiveDuration('body-timeout', str('body-timeout')),
    headersTimeoutMs: positiveDuration('headers-timeout', str('headers-timeout')),
    maxSchemaBytes: parseSize('max-schema-size', str('max-schema-size')),
    maxSchemaDepth: integer('max-schema-depth', str('max-schema-depth'), 1),
    maxSchemaSubschemas: integer('max-schema-subschemas', str('max-schema-subschemas'), 1),
    schemaValidationTimeoutMs: positiveDuration('schema-timeout', str('schema-timeout')),
    maxConcurrentRuns: integer('max-concurrency', str('max-concurrency'), 1),
    modelName: str('model-name'),
    contextThresholdChars: integer('context-threshold', str('context-threshold'), 1),
    shutdownGraceMs: parseDuration('shutdown-grace', str('shutdown-grace')),
    trajectoryDir: str('trajectory-dir'),
    quiet: values.quiet === true,
  };
}
