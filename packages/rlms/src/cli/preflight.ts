/** Why a base URL could not be reached, or `undefined` when it answered (any HTTP status). */
export async function checkBaseURL(baseURL: string, timeoutMs = 5_000): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return `"${baseURL}" is not a valid URL (expected e.g. http://localhost:8000/v1)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${baseURL}" is not an http(s) URL`;
  try {
    const response = await fetch(`${baseURL.replace(/\/+$/, '')}/models`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return undefined;
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return 'connection refused';
    if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return `unknown host ${url.hostname}`;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}
