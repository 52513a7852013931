import { formatCount } from '@rlms/core';

/** `12,345` (core's `formatCount`). */
export const formatInteger = formatCount;

/** `$0.0123`, `$1.23`, `<$0.0001`; `'cost n/a'` when unknown (no price for the model). */
export function formatUsd(value: number | undefined): string {
  if (value === undefined) return 'cost n/a';
  if (value === 0) return '$0';
  if (value < 0.0001) return '<$0.0001';
  if (value < 1) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(2)}`;
}

/** `850ms`, `4.2s`, `2m03s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3_600)}h${String(Math.floor((seconds % 3_600) / 60)).padStart(2, '0')}m`;
}

/** First line of `text`, cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max = 80): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return text.trim().includes('\n') && cut === line ? `${cut} …` : cut;
}

/** `1 document` / `3 documents` (core's `plural`). */
export { plural } from '@rlms/core';
