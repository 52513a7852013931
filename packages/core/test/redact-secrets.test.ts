import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../src/index.js';

describe('redactSecrets', () => {
  it('removes the known secrets wherever they appear, URL-encoded too', () => {
    const key = 'my-upstream-key+/=42';
    const text = `Incorrect API key provided: ${key}. Got ?k=${encodeURIComponent(key)} from the proxy`;
    const redacted = redactSecrets(text, [key, undefined, 'abc']);
    expect(redacted).not.toContain(key);
    expect(redacted).not.toContain(encodeURIComponent(key));
    expect(redacted).toBe(`Incorrect API key provided: ${REDACTED}. Got ?k=${REDACTED} from the proxy`);
    // Values too short to be keys are left alone (they would match ordinary words).
    expect(redactSecrets('abc def', ['abc'])).toBe('abc def');
  });

  it('removes common key shapes, bearer credentials and named secret values', () => {
    const cases: Array<[string, string]> = [
      ['bad key sk-proj-AbCdEf0123456789xyz here', `bad key ${REDACTED} here`],
      ['anthropic sk-ant-api03-AAAAAAAAAAAAAAAA', `anthropic ${REDACTED}`],
      ['groq gsk_0123456789abcdefghijKLMN', `groq ${REDACTED}`],
      ['hf hf_abcdefghijklmnopqrstuvwxyz0123', `hf ${REDACTED}`],
      ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789', `gh ${REDACTED}`],
      ['google AIzaSyA-0123456789abcdefghijklmnopqrstu', `google ${REDACTED}`],
      ['aws AKIAABCDEFGHIJKLMNOP', `aws ${REDACTED}`],
      ['Authorization: Bearer abc.def-ghi_jkl', `Authorization: Bearer ${REDACTED}`],
      ['basic Basic dXNlcjpwYXNzd29yZA==', `basic Basic ${REDACTED}`],
      ['api_key=12345secret&model=x', `api_key=${REDACTED}&model=x`],
      ['X-Api-Key: abcdef123456', `X-Api-Key: ${REDACTED}`],
      ['{"api_key": "s3cr3t-value", "model": "m"}', `{"api_key": "${REDACTED}", "model": "m"}`],
      ["password='hunter22'", `password='${REDACTED}'`],
      ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', `jwt ${REDACTED}`],
    ];
    for (const [text, expected] of cases) expect(redactSecrets(text), text).toBe(expected);
  });

  it('removes credentials and tokens from URLs but keeps the rest of the URL', () => {
    expect(redactSecrets('POST https://user:pa55@llm.internal:8443/v1/chat?key=AIzaXYZ&stream=1 failed')).toBe(
      `POST https://${REDACTED}@llm.internal:8443/v1/chat?key=${REDACTED}&stream=1 failed`,
    );
    expect(redactSecrets('see https://example.com/docs/errors#auth')).toBe('see https://example.com/docs/errors#auth');
    expect(redactSecrets('redis://:s3cret@cache:6379/0')).toBe(`redis://${REDACTED}@cache:6379/0`);
  });

  it('leaves ordinary text alone, is idempotent, and stays linear on hostile input', () => {
    const plain = 'maxTotalTokens (20000) was reached; max_tokens: 5; the key point is speed.';
    expect(redactSecrets(plain)).toBe(plain);
    const once = redactSecrets('token=abc123456 Bearer abcdefgh sk-0123456789abcdef https://u:p@h/ ?code=xyz');
    expect(redactSecrets(once)).toBe(once);
    // Patterns that would backtrack on long runs of near-matches.
    const hostile = ['a.'.repeat(200_000), 'sk-'.repeat(100_000), 'token='.repeat(50_000), 'x://'.repeat(50_000)].join(' ');
    const redacted = redactSecrets(hostile);
    expect(redacted.length).toBeLessThanOrEqual(hostile.length + 1_000_000);
  });
});
