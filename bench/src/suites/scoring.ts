/** The first integer in a text (commas between digit groups allowed), or `undefined`. */
export function firstInteger(text: string): number | undefined {
  const match = /-?\d[\d,]*/.exec(text);
  if (match === null) return undefined;
  const value = Number(match[0].replaceAll(',', ''));
  return Number.isFinite(value) ? value : undefined;
}

/** Lower-cases, trims, and drops surrounding quotes, backticks and a trailing period. */
export function normalizeAnswer(text: string): string {
  return text
    .trim()
    .replace(/^["'`]+|["'`.]+$/g, '')
    .trim()
    .toLowerCase();
}

/** Pairs `(a, b)` of integers in a text, each sorted so that a ≤ b, as `"a,b"` keys (duplicates once). */
export function parsePairs(text: string): Set<string> {
  const pairs = new Set<string>();
  for (const match of text.matchAll(/(\d+)\s*[,;&-]\s*(\d+)/g)) {
    const a = Number(match[1]);
    const b = Number(match[2]);
    if (a === b) continue;
    pairs.add(a < b ? `${a},${b}` : `${b},${a}`);
  }
  return pairs;
}

/** F1 of a predicted set against the expected set (1 when both are empty). */
export function f1(predicted: ReadonlySet<string>, expected: ReadonlySet<string>): number {
  if (predicted.size === 0 && expected.size === 0) return 1;
  let hits = 0;
  for (const item of predicted) if (expected.has(item)) hits++;
  if (hits === 0) return 0;
  const precision = hits / predicted.size;
  const recall = hits / expected.size;
  return (2 * precision * recall) / (precision + recall);
}
