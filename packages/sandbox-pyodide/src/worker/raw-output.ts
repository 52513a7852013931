/**
 * Output that Python (or C code) wrote straight to fd 1/2, bypassing `sys.stdout` / `sys.stderr`:
 * collected per request, head only. The session merges it with the captured output and truncates
 * to `maxOutputChars`. No imports: loaded by the worker and (for the constant) by the host.
 */

/** Characters of fd 1/2 output kept per request and stream. */
export const RAW_OUTPUT_LIMIT = 1_000_000;

/** One stream's collector; `write` is Pyodide's raw stdout/stderr handler. */
export class RawOutput {
  private readonly decoder = new TextDecoder();
  private parts: string[] = [];
  private size = 0;
  capturing = false;

  write = (buffer: Uint8Array): number => {
    if (this.capturing && this.size < RAW_OUTPUT_LIMIT) {
      const text = this.decoder.decode(buffer, { stream: true });
      this.parts.push(text);
      this.size += text.length;
    }
    return buffer.length;
  };

  /** The text collected since the last call (at most `RAW_OUTPUT_LIMIT` characters), or undefined. */
  take(): string | undefined {
    const text = this.parts.join('').slice(0, RAW_OUTPUT_LIMIT);
    this.parts = [];
    this.size = 0;
    return text.length > 0 ? text : undefined;
  }
}
