/**
 * Keeps the head and the tail of `text` within `maxChars`, replacing the middle with a note saying
 * how many characters were cut. Returns the text unchanged when it fits.
 */
export function truncateMiddle(text: string, maxChars: number): { text: string; cut: number } {
  if (text.length <= maxChars) return { text, cut: 0 };
  const keep = Math.max(0, maxChars);
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  const cut = text.length - keep;
  return {
    text: `${text.slice(0, head)}\n... [${cut} characters truncated] ...\n${tail > 0 ? text.slice(-tail) : ''}`,
    cut,
  };
}
