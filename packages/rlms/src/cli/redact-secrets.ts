import { REDACTED, redactSecrets } from '@rlms/core';

/** Environment variable names whose values are secrets. */
const SECRET_NAME =
  /API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|(?:^|_)KEY(?:_|$)|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTHORIZATION|(?:^|_)AUTH(?:_|$)|COOKIE|DSN|DATABASE_URL|CONNECTION_STRING/i;

/** Shorter values are not redacted: too likely to occur by chance in ordinary text. */
const MIN_SECRET_CHARS = 8;

/** Well-known API key shapes, redacted wherever they appear (even when not in this environment). */
const KEY_SHAPES: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{20,}/g, // OpenAI, Anthropic (sk-ant-…)
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google
  /\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}\b/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{30,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
];

/** Credentials inside a URL (`https://user:password@host`). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@"']+:[^\s/@"']+@/gi;

/**
 * The secrets of an environment: values of variables named like secrets (`*_API_KEY`, `*TOKEN*`,
 * `*SECRET*`, `*PASSWORD*`…), plus `extra` values (the API key in use, whatever its variable's name).
 * Values shorter than 8 characters are left out. Longest first, so a secret containing another is
 * replaced whole.
 */
export function secretValues(env: Readonly<Record<string, string | undefined>>, extra: readonly (string | undefined)[] = []): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= MIN_SECRET_CHARS && SECRET_NAME.test(name)) values.add(value);
  }
  for (const value of extra) if (value !== undefined && value.length >= MIN_SECRET_CHARS) values.add(value);
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * A function replacing secrets with `[REDACTED]` in what the CLI writes about a run (trajectory
 * files, `--json` output, answers): every value from {@link secretValues}, raw and as escaped inside
 * a JSON string, well-known API key shapes (`sk-…`, `AIza…`, `ghp_…`…), and credentials in URLs.
 * Narrower than `redactSecrets` of `@rlms/core` on purpose: these files hold the context (code),
 * where `token: string` or `password = input()` must stay as written.
 */
export function createRedactor(env: Readonly<Record<string, string | undefined>>, extra: readonly (string | undefined)[] = []): (text: string) => string {
  const secrets = secretValues(env, extra).flatMap((value) => {
    const escaped = JSON.stringify(value).slice(1, -1);
    return escaped === value ? [value] : [escaped, value];
  });
  return (text) => {
    let result = text;
    for (const secret of secrets) if (result.includes(secret)) result = result.replaceAll(secret, REDACTED);
    for (const shape of KEY_SHAPES) result = result.replace(shape, REDACTED);
    return result.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  };
}

/**
 * Redacts an error line before it is printed: `redactSecrets` of `@rlms/core` (key shapes, `Bearer …`,
 * `api_key=…`, URL credentials) plus the secret values of `env` and `extra` (see {@link secretValues}).
 */
export function redactErrorText(text: string, env: Readonly<Record<string, string | undefined>>, extra: readonly (string | undefined)[] = []): string {
  return redactSecrets(text, secretValues(env, extra));
}
