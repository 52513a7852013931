/** Marks the cut in a shortened string; the viewer highlights it. */
export const OMISSION_MARK = '⟪rlms view: ';

/** `text` when it has at most `max` characters, else its head and tail with a note of what was cut between them. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n${OMISSION_MARK}${(text.length - 2 * half).toLocaleString('en-US')} characters omitted⟫\n${text.slice(-half)}`;
}
