import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './openai-error.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Builds the bearer-token check of a server. `'none'` accepts every request. */
export function createApiKeyCheck(apiKeys: readonly string[] | 'none'): (req: IncomingMessage) => void {
  if (apiKeys === 'none') return () => undefined;
  // Compare fixed-size digests so neither the content nor the length of a key leaks through timing.
  const accepted = apiKeys.map(digest);
  return (req) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match === null) {
      throw new HttpError(
        401,
        'Missing API key: send it as "Authorization: Bearer <key>" (the OpenAI clients do this from their api_key / apiKey setting).',
        { type: 'invalid_request_error', code: 'invalid_api_key', headers: { 'www-authenticate': 'Bearer' } },
      );
    }
    const given = digest(match[1]!);
    let ok = false;
    for (const key of accepted) ok = timingSafeEqual(key, given) || ok;
    if (!ok) {
      throw new HttpError(401, 'Incorrect API key provided: use one of the keys this rlms server was started with.', {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
  };
}
