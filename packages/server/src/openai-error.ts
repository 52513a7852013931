import type { ServerResponse } from 'node:http';

/** The `type` field of an OpenAI error body. */
export type OpenAIErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error' | 'not_found_error';

/** The OpenAI error format: `{ error: { message, type, param, code } }`. */
export interface OpenAIErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: OpenAIErrorType;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/**
 * An HTTP failure answered in the OpenAI error format. Thrown inside the request handler and turned
 * into a response there; never escapes the server.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly code: string | null;
  readonly param: string | null;
  /** Extra response headers (`retry-after`, `www-authenticate`…). */
  readonly headers: Readonly<Record<string, string>>;
  /** What went wrong in detail, for the server log only (redacted there); never sent to the client. */
  readonly detail: string | undefined;

  constructor(
    status: number,
    message: string,
    options: {
      type: OpenAIErrorType;
      code?: string | null;
      param?: string | null;
      headers?: Readonly<Record<string, string>>;
      detail?: string;
    },
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }

  /** The same error with more response headers. */
  withHeaders(headers: Readonly<Record<string, string>>): HttpError {
    return new HttpError(this.status, this.message, {
      type: this.type,
      code: this.code,
      param: this.param,
      headers: { ...this.headers, ...headers },
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    });
  }

  /** The JSON body of the response. */
  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A 400 for a malformed request, naming the offending parameter. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = 'invalid_request'): HttpError {
  return new HttpError(400, message, { type: 'invalid_request_error', code, param });
}

/** Writes a JSON response (status, body, extra headers). Does nothing when the socket is gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Writes an `HttpError` as an OpenAI error response. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, error.body(), error.headers);
}
