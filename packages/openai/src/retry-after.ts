/**
 * The wait a response asks for: `retry-after-ms` (milliseconds), else `retry-after` (seconds or an
 * HTTP date). `undefined` when absent or unparsable. Reported as `ModelProviderError.retryAfterMs`;
 * the engine's retry loop honours it.
 */
export function retryAfterMsFromHeaders(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter.trim());
    if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}
