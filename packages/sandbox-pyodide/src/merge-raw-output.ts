import { truncateMiddle } from '@rlms/core/sandbox';

/**
 * Appends output that bypassed `sys.stdout` / `sys.stderr` (written to fd 1/2 directly, e.g.
 * `os.write(1, ...)` or C code) to what the runtime captured, keeping the result within
 * `maxChars` the way the runtime does: head + tail with a line saying how much was cut.
 *
 * Returns the merged text and how many characters were cut here.
 */
export function mergeRawOutput(
  captured: string,
  raw: string | undefined,
  maxChars: number,
): { readonly text: string; readonly cut: number } {
  if (raw === undefined || raw.length === 0) return { text: captured, cut: 0 };
  const text = captured + raw;
  return truncateMiddle(text, maxChars);
}
