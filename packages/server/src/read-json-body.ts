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

/**
 * Reads a request body of at most `maxBytes` and parses it as JSON. Rejects with a 413 `HttpError`
 * as soon as the declared or received size passes the limit, and with a 400 for invalid JSON.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(new Error('The client closed the connection before sending the whole body.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
  const text = Buffer.concat(chunks, size).toString('utf8');
  if (text.trim().length === 0) throw invalidRequest('The request body is empty: send a JSON object like {"model": "rlm", "messages": [...]}.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON (${(error as Error).message}).`, null, 'invalid_json');
  }
}
