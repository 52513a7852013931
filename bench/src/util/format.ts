/** Milliseconds with a precision that suits the magnitude: `0.42 ms`, `12.3 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Bytes as MB (10^6) with one decimal: `104.9 MB`. */
export function formatMB(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const mb = bytes / 1e6;
  return mb >= 100 ? `${mb.toFixed(0)} MB` : `${mb.toFixed(1)} MB`;
}

/** A ratio as `1.03×`. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(ratio >= 10 ? 1 : 2)}×` : 'n/a';
}

/** Token counts as `8K`, `1M`, `2.5M`. */
export function formatTokens(tokens: number): string {
  if (tokens >= 1e6) return `${Number((tokens / 1e6).toFixed(2))}M`;
  if (tokens >= 1e3) return `${Number((tokens / 1e3).toFixed(1))}K`;
  return String(tokens);
}

/**
 * Parses a size like `8k`, `1m`, `2.5M`, `128000` (tokens). Throws `RangeError` naming the bad value.
 */
export function parseTokenSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  if (match === null) throw new RangeError(`Invalid size "${text}": use a token count such as 8k, 128k, 1m or 2.5m.`);
  const value = Number(match[1]) * (match[2]?.toLowerCase() === 'm' ? 1e6 : match[2]?.toLowerCase() === 'k' ? 1e3 : 1);
  if (!(value >= 1)) throw new RangeError(`Invalid size "${text}": it must be at least 1 token.`);
  return Math.round(value);
}

/** A Markdown table from a header row and rows of cells (pipes in cells are escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
