import type { IncomingMessage } from 'node:http';
import { HttpError, invalidRequest } from './openai-error.js';

/** The 413 answered for a body over the limit; the connection is closed after it (the rest is unread). */
export function bodyTooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    `Request body too large: the limit is ${maxBytes.toLocaleString('en-US')} bytes. Send less, or start the server with a larger --max-body (maxBodyBytes).`,
    { type: 'invalid_request_error', code: 'request_too_large', headers: { connection: 'close' } },
  );
}

/** The 408 answered for a body that did not arrive in time; the connection is closed after it. */
export function bodyTimedOut(timeoutMs: number): HttpError {
  return new HttpError(
    408,
    `Request body not received within ${timeoutMs.toLocaleString('en-US')} ms: send the whole body at once, or start the server with a larger --body-timeout (bodyTimeoutMs).`,
    { type: 'invalid_request_error', code: 'request_timeout', headers: { connection: 'close' } },
  );
}

/** The 503 answered when other requests' bodies already hold the server's body memory. */
function bodiesBusy(maxPendingBytes: number, retryAfterSeconds: number): HttpError {
  return new HttpError(
    503,
    `The server is reading other request bodies (${maxPendingBytes.toLocaleString('en-US')} bytes at once at most). Retry after ${retryAfterSeconds} s.`,
    { type: 'server_error', code: 'server_busy', headers: { connection: 'close', 'retry-after': String(retryAfterSeconds) } },
  );
}

/** Bytes of request bodies held at once by one server, across its requests, and how many are being read. */
export class PendingBodyBudget {
  readonly #max: number;
  #held = 0;
  #readers = 0;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /** Bytes held now. */
  get held(): number {
    return this.#held;
  }

  /** Bodies being read now. */
  get readers(): number {
    return this.#readers;
  }

  /** Counts a body read from its start to its end (`leave`). */
  enter(): void {
    this.#readers++;
  }

  leave(): void {
    this.#readers = Math.max(0, this.#readers - 1);
  }

  /** Takes `bytes`; `false` (taking nothing) when that would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.#held + bytes > this.#max) return false;
    this.#held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }

  get max(): number {
    return this.#max;
  }
}

/** Limits of one body read. */
export interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly pending: PendingBodyBudget;
  readonly retryAfterSeconds: number;
}

/**
 * Reads a request body of at most `maxBytes` within `timeoutMs` and parses it as JSON. Rejects with
 * 413 as soon as the declared or received size passes the limit (the rest is never read), with 408
 * when the body is not complete in time (a stalled or slow-loris client: what was read is dropped),
 * with 503 when bodies being read at once would pass the server's pending-bytes budget, and with 400
 * for invalid JSON. Every byte it holds is returned to `pending` when it settles.
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const { maxBytes, timeoutMs, pending } = limits;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  pending.enter();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(bodyTimedOut(timeoutMs)), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const fail = (error: Error) => {
        cleanup();
        req.pause();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        if (size + chunk.byteLength > maxBytes) return fail(bodyTooLarge(maxBytes));
        if (!pending.tryTake(chunk.byteLength)) return fail(bodiesBusy(pending.max, limits.retryAfterSeconds));
        size += chunk.byteLength;
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve();
      };
      const onError = (error: Error) => fail(error);
      const onClose = () => {
        if (!req.complete) fail(new Error('The client closed the connection before sending the whole body.'));
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  } catch (error) {
    pending.release(size);
    chunks.length = 0;
    throw error;
  } finally {
    pending.leave();
  }
  let text: string;
  try {
    text = Buffer.concat(chunks, size).toString('utf8');
  } finally {
    pending.release(size);
    chunks.length = 0;
  }
  if (text.trim().length === 0) throw invalidRequest('The request body is empty: send a JSON object like {"model": "rlm", "messages": [...]}.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON (${(error as Error).message}).`, null, 'invalid_json');
  }
}
