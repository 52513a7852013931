/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Known secrets shorter than this are not searched for: they would match ordinary words. */
const MIN_KNOWN_SECRET_LENGTH = 6;

/**
 * Provider key and token shapes, matched anywhere. Each is a single character class with a
 * length bound, so matching stays linear whatever the text.
 */
const KEY_SHAPES: readonly RegExp[] = [
  // OpenAI, Anthropic, DeepSeek, OpenRouter…: sk-…, sk-proj-…, sk-ant-…, sk-or-v1-…
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  // Groq, Replicate, Hugging Face, Tavily, Fireworks, Perplexity, xAI, Together
  /\b(?:gsk_|r8_|hf_|tvly-|fw_|pplx-|xai-|tgp_v1_)[A-Za-z0-9_-]{16,}/g,
  // GitHub tokens
  /\b(?:gh[opusr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g,
  // Google API keys
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  // AWS access key ids
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  // Slack tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  // E2B, Daytona, Modal
  /\b(?:e2b_|dtn_|ak-|as-)[A-Za-z0-9_-]{20,}/g,
  // JSON Web Tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

/** `Authorization: Bearer …`, `Basic …`, `Token …` credentials. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;

/** Names whose value is a secret, in `name=value`, `name: value` and `"name": "value"` forms. */
const SECRET_NAMES =
  'api[_-]?key|apikey|x-api-key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|session[_-]?token|' +
  'security[_-]?token|client[_-]?secret|secret[_-]?key|secret|password|passwd|pwd|token|authorization|private[_-]?key|' +
  'x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig';

/** `name=value` / `name: value` (headers, query strings, env dumps, logs). */
const NAMED_VALUE = new RegExp(
  `(^|[^A-Za-z0-9_-])(${SECRET_NAMES})(\\s*[=:]\\s*)(?!${escapeRegExp(REDACTED)}|(?:Bearer|Basic|Token)\\s)(['"]?)([^\\s'"&,;<>}\\]]+)`,
  'gi',
);

/** `"name": "value"` in JSON. */
const JSON_NAMED_VALUE = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'gi');

/** Credentials in a URL: `scheme://user:password@host`, `scheme://token@host`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^/\s@?#]+@/gi;

/** Query parameters that carry credentials in URLs: `?key=…`, `&code=…`. */
const QUERY_TOKEN = /([?&](?:key|code|auth|credential|credentials|jwt|bearer)=)(?!\[REDACTED\])[^&#\s"'<>]+/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes secrets from text before it is shown to someone else or saved: error messages from an
 * upstream API, log lines, trajectory fields.
 *
 * Removes every occurrence of `knownSecrets` (the API keys the caller configured, plus their
 * URL-encoded form; values shorter than 6 characters are ignored), common key shapes (`sk-…`,
 * `gsk_…`, `hf_…`, `ghp_…`, `AIza…`, `AKIA…`, `xox…-`, JWTs), `Bearer`/`Basic` credentials,
 * `name=value` / `"name": "value"` pairs whose name says secret (`api_key`, `token`, `password`,
 * `client_secret`, `signature`…), credentials in URLs (`https://user:pass@host`) and credential query
 * parameters (`?key=…`, `&code=…`). Each is replaced with `[REDACTED]`; the rest of the text is kept.
 * Idempotent, linear in the length of the text.
 *
 * @example
 * ```ts
 * redactSecrets('401 from https://u:p@llm.internal/v1?key=abc: bad key sk-live-1234567890', ['my-own-key'])
 * // '401 from https://[REDACTED]@llm.internal/v1?key=[REDACTED]: bad key [REDACTED]'
 * ```
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string | undefined> = []): string {
  if (typeof text !== 'string' || text.length === 0) return typeof text === 'string' ? text : String(text);
  let result = text;
  const known = new Set<string>();
  for (const secret of knownSecrets) {
    if (typeof secret !== 'string' || secret.trim().length < MIN_KNOWN_SECRET_LENGTH) continue;
    known.add(secret);
    known.add(secret.trim());
    known.add(encodeURIComponent(secret.trim()));
  }
  // Longest first, so a key that contains another is removed whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_KNOWN_SECRET_LENGTH) result = result.split(secret).join(REDACTED);
  }
  result = result.replace(URL_USERINFO, `$1${REDACTED}@`);
  result = result.replace(QUERY_TOKEN, `$1${REDACTED}`);
  result = result.replace(AUTH_SCHEME, (match, scheme: string, space: string) => (match.endsWith(REDACTED) ? match : `${scheme}${space}${REDACTED}`));
  result = result.replace(JSON_NAMED_VALUE, (_match, start: string, _value: string, end: string) => `${start}${REDACTED}${end}`);
  result = result.replace(NAMED_VALUE, (_match, before: string, name: string, separator: string, quote: string) => `${before}${name}${separator}${quote}${REDACTED}`);
  for (const shape of KEY_SHAPES) result = result.replace(shape, REDACTED);
  return result;
}
