import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKeyCheck } from './check-api-key.js';
import { internalFailure } from './client-errors.js';
import { clientSchemaLimits } from './client-schema.js';
import { handleChatCompletion, prepareCompletion, type CompletionOutcome } from './handle-chat-completion.js';
import { HttpError, sendError, sendJson } from './openai-error.js';
import { PendingBodyBudget, readJsonBody } from './read-json-body.js';
import { resolveServerSettings, type RLMServerSettings } from './rlm-server-settings.js';
import { RunRegistry } from './run-registry.js';
import { SchemaValidationPool } from './schema-validation-pool.js';

/** Heap of each worker that checks answers against client schemas, in MiB. */
const SCHEMA_WORKER_HEAP_MIB = 256;
/** Schema workers kept warm between checks. */
const SCHEMA_WORKERS_IDLE = 2;

/** Options of `close()`. */
export interface CloseOptions {
  /** How long running requests may finish before they are aborted. Default: the server's `shutdownGraceMs`. */
  readonly graceMs?: number;
}

/** A server bound to a port by `listen`. */
export interface ListeningRLMServer {
  /** `http://host:port` (no trailing slash). */
  readonly url: string;
  /** `url + '/v1'`: what OpenAI clients take as `baseURL` / `base_url`. */
  readonly baseURL: string;
  readonly port: number;
  /** Shuts the whole server down (same as `RLMServer.close`). */
  close(options?: CloseOptions): Promise<void>;
}

/** An OpenAI-compatible server backed by an RLM. */
export interface RLMServer {
  /** The `node:http` request listener, to mount in your own server (`http.createServer(server.handler)`). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Runs in flight now. */
  readonly activeRuns: number;
  /**
   * Starts an HTTP server on `port` (0: the OS picks one) and `host` (default `'127.0.0.1'`; use
   * `'0.0.0.0'` to accept other machines). Rejects when the port is taken or the server is closing.
   */
  listen(port: number, host?: string): Promise<ListeningRLMServer>;
  /**
   * Graceful shutdown: stops accepting connections and requests (new requests on open connections get
   * 503), lets running requests finish for `graceMs`, then aborts them (their sandboxes are freed and
   * clients get a `server_shutting_down` error), and closes every connection. Idempotent; a second call
   * with `graceMs: 0` (e.g. on a second SIGTERM) aborts the running requests at once.
   */
  close(options?: CloseOptions): Promise<void>;
}

/** What `abortAll` passes to runs stopped by a shutdown. */
class ServerShutdownError extends Error {
  constructor() {
    super('The server is shutting down.');
    this.name = 'AbortError';
  }
}

function pathOf(req: IncomingMessage): string {
  const raw = (req.url ?? '/').split('?')[0]!;
  const path = raw.replace(/\/+$/, '') || '/';
  return path.startsWith('/v1/') || path === '/v1' ? path.slice(3) || '/' : path;
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, `Method not allowed: use ${allow}.`, { type: 'invalid_request_error', code: 'method_not_allowed', headers: { allow } });
}

/**
 * Creates an OpenAI-compatible HTTP server whose one model is an RLM. Does no I/O until `listen`.
 *
 * Endpoints: `POST /v1/chat/completions` (JSON or SSE with `stream: true`), `GET /v1/models`,
 * `GET /v1/models/{id}`, `GET /health` (no auth). The `/v1` prefix is optional.
 *
 * A completion request is handled in this order, each step bounded: the key, from the headers (401,
 * the body is never read); the body, within `maxBodyBytes`, `bodyTimeoutMs` and the server-wide
 * `maxPendingBodyBytes` (413, 408, 503); the request and its `response_format` schema, held to the
 * schema limits (400); only then a run slot (429). Answers are checked against a client's schema in
 * worker threads with a time limit, never on the thread that answers requests. Server-side failures
 * reach the client as a status, a code and a generic message with the request id; the details go to
 * `onLog`, redacted.
 *
 * @throws `ConfigurationError` when `rlm`/`createRLM` or `apiKeys` is missing or a limit is invalid.
 * @example
 * ```ts
 * const server = createRLMServer({ rlm, apiKeys: [process.env.RLMS_SERVE_KEY!] });
 * const { baseURL, close } = await server.listen(8080);
 * ```
 */
export function createRLMServer(settings: RLMServerSettings): RLMServer {
  const resolved = resolveServerSettings(settings);
  const checkApiKey = createApiKeyCheck(resolved.apiKeys);
  const registry = new RunRegistry(resolved.maxConcurrentRuns);
  const pendingBodies = new PendingBodyBudget(resolved.maxPendingBodyBytes);
  const schemaPool = new SchemaValidationPool({
    timeoutMs: resolved.schemaValidationTimeoutMs,
    heapMiB: SCHEMA_WORKER_HEAP_MIB,
    maxIdle: SCHEMA_WORKERS_IDLE,
    limits: clientSchemaLimits(resolved),
    onProblem: (message) => resolved.log({ level: 'warn', event: 'schema-validation', message: `answer check stopped: ${message}` }),
  });
  const servers = new Set<Server>();
  const force = new AbortController();
  let closing: Promise<void> | undefined;
  const created = Math.floor(Date.now() / 1000);
  const modelObject = { id: resolved.modelName, object: 'model', created, owned_by: 'rlms' };

  const shuttingDown = () =>
    new HttpError(503, 'The server is shutting down.', { type: 'server_error', code: 'server_shutting_down', headers: { connection: 'close' } });

  async function route(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<CompletionOutcome | number> {
    const method = req.method ?? 'GET';
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET');
      const status = closing === undefined ? 200 : 503;
      sendJson(res, status, {
        status: closing === undefined ? 'ok' : 'shutting_down',
        model: resolved.modelName,
        active_runs: registry.size,
        max_concurrent_runs: registry.limit,
        // Requests still sending their body (they hold no run slot), and answers being checked
        // against a client's schema in worker threads.
        pending_bodies: pendingBodies.readers,
        pending_body_bytes: pendingBodies.held,
        schema_checks_running: schemaPool.running,
      });
      return status;
    }
    if (closing !== undefined) throw shuttingDown();
    if (path === '/models' || path.startsWith('/models/')) {
      if (method !== 'GET') throw methodNotAllowed('GET');
      checkApiKey(req);
      if (path === '/models') {
        sendJson(res, 200, { object: 'list', data: [modelObject] });
        return 200;
      }
      const id = decodeURIComponent(path.slice('/models/'.length));
      if (id !== resolved.modelName) {
        throw new HttpError(404, `The model "${id}" does not exist: this server serves "${resolved.modelName}".`, {
          type: 'invalid_request_error',
          code: 'model_not_found',
          param: 'model',
        });
      }
      sendJson(res, 200, modelObject);
      return 200;
    }
    if (path === '/chat/completions') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      // Headers first: a request without a valid key is refused before a byte of its body is read.
      checkApiKey(req);
      // Then the whole body, bounded in size and time, before a run slot is taken: a client that
      // never finishes its body holds no slot, and is dropped with 408 at the body timeout.
      const body = await readJsonBody(req, {
        maxBytes: resolved.maxBodyBytes,
        timeoutMs: resolved.bodyTimeoutMs,
        pending: pendingBodies,
        retryAfterSeconds: resolved.retryAfterSeconds,
      });
      const prepared = prepareCompletion(body, resolved, requestId);
      if (closing !== undefined) throw shuttingDown();
      const run = registry.tryAcquire();
      if (run === undefined) {
        throw new HttpError(
          429,
          `Too many requests: ${registry.limit} RLM runs are in flight, the most this server runs at once. Retry after ${resolved.retryAfterSeconds} s, or start it with a larger --max-concurrency.`,
          { type: 'rate_limit_error', code: 'concurrency_limit', headers: { 'retry-after': String(resolved.retryAfterSeconds) } },
        );
      }
      try {
        return await handleChatCompletion(res, resolved, run, prepared, schemaPool);
      } finally {
        run.release();
      }
    }
    throw new HttpError(404, `Unknown path ${req.url ?? ''}: this server answers POST /v1/chat/completions, GET /v1/models and GET /health.`, {
      type: 'invalid_request_error',
      code: 'unknown_url',
    });
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const path = pathOf(req);
    const requestId = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
    // Logged without the query string (it could carry anything, keys included).
    const shownPath = (req.url ?? '/').split('?')[0]!;
    const logRequest = (outcome: CompletionOutcome | number, level: 'info' | 'warn' | 'error' = 'info', failure?: string) => {
      const { detail, ...fields } = typeof outcome === 'number' ? { status: outcome, detail: undefined } : outcome;
      // Details of failures are for the log only (the client got a generic message); redacted by `log`.
      const error = failure ?? (detail === undefined ? undefined : `${requestId}: ${detail}`);
      const durationMs = Date.now() - started;
      const run =
        typeof outcome === 'number' || outcome.runStatus === undefined
          ? ''
          : ` — run ${outcome.runStatus}, ${outcome.iterations} iteration(s), ${outcome.totalTokens} tokens${outcome.stream ? ', streamed' : ''}${outcome.clientGone ? ', client gone' : ''}`;
      resolved.log({
        level,
        event: 'request',
        message: `${req.method ?? '?'} ${shownPath} ${fields.status} ${durationMs} ms${run}${error === undefined ? '' : ` (${error})`}`,
        fields: { method: req.method, path: shownPath, durationMs, ...fields },
      });
    };
    route(req, res, path, requestId).then(
      (outcome) => logRequest(outcome, typeof outcome !== 'number' && outcome.status >= 500 ? 'error' : 'info'),
      (error: unknown) => {
        const http = error instanceof HttpError ? error : internalFailure(error, requestId);
        if (res.headersSent) res.destroy();
        // A body left unread (401, 413, 408…) is never read nor drained: the connection closes after the answer.
        else sendError(res, req.complete ? http : http.withHeaders({ connection: 'close' }));
        logRequest(http.status, http.status >= 500 ? 'error' : 'warn', http.detail === undefined ? http.message : `${requestId}: ${http.detail}`);
      },
    );
  };

  async function shutdown(graceMs: number): Promise<void> {
    resolved.log({ level: 'info', event: 'shutdown', message: `shutting down: ${registry.size} run(s) in flight, grace ${graceMs} ms` });
    const closed = [...servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );
    if (!(await registry.waitIdle(graceMs, force.signal))) {
      resolved.log({ level: 'warn', event: 'shutdown', message: `aborting ${registry.size} run(s) still in flight after the grace period` });
      registry.abortAll(new ServerShutdownError());
      await registry.waitIdle(60_000);
    }
    for (const server of servers) server.closeAllConnections();
    await Promise.all(closed);
    servers.clear();
    await schemaPool.close();
    resolved.log({ level: 'info', event: 'shutdown', message: 'server closed' });
  }

  function close(options: CloseOptions = {}): Promise<void> {
    const graceMs = options.graceMs ?? resolved.shutdownGraceMs;
    if (closing === undefined) {
      closing = shutdown(graceMs);
      if (graceMs === 0) force.abort();
    } else if (graceMs === 0) force.abort();
    return closing;
  }

  async function listen(port: number, host = '127.0.0.1'): Promise<ListeningRLMServer> {
    if (closing !== undefined) throw new Error('createRLMServer: listen() after close(): create a new server.');
    const server = createServer(
      {
        // Node answers 408 and closes when the headers are not in by then (slow-loris headers).
        headersTimeout: resolved.headersTimeoutMs,
        // A backstop behind readJsonBody's own body timer.
        requestTimeout: resolved.headersTimeoutMs + resolved.bodyTimeoutMs + 1_000,
        connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(resolved.headersTimeoutMs / 2))),
      },
      handler,
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.add(server);
    const address = server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shown}:${address.port}`;
    resolved.log({ level: 'info', event: 'listening', message: `listening on ${url} (model "${resolved.modelName}")`, fields: { url } });
    return { url, baseURL: `${url}/v1`, port: address.port, close };
  }

  return {
    handler,
    get activeRuns() {
      return registry.size;
    },
    listen,
    close,
  };
}
