import { UsageError } from './usage-error.js';

/** Parses an integer flag value of at least `min` (`_` allowed as a digit separator: `1_000`). */
export function parseInteger(flag: string, value: string | undefined, command: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const text = value.replaceAll('_', '');
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}; got "${value}".`, command);
  return Number(text);
}

/** Parses a non-negative number flag value (`--max-cost 0.5`, `$0.5`). */
export function parseNumber(flag: string, value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/^\$/, '').replaceAll('_', ''));
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new UsageError(`--${flag} must be a number ≥ 0; got "${value}".`, command);
  return number;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration: `90` (seconds), `90s`, `1.5m`, `2h`, `500ms`. Returns milliseconds, at least
 * `minMs` (default 1: zero is refused; pass 0 where "no time at all" makes sense).
 */
export function parseDuration(flag: string, value: string | undefined, command: string, minMs = 1): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null) throw new UsageError(`--${flag} must be a duration such as 90 (seconds), 90s, 10m, 1h or 500ms; got "${value}".`, command);
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
  if (ms < minMs) throw new UsageError(`--${flag} must be at least ${minMs}ms; got "${value}".`, command);
  return ms;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a size of at least one byte: `1048576`, `512k`, `64m`, `64MiB`, `1g` (binary units). Returns bytes. */
export function parseSize(flag: string, value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?$/i.exec(value.trim());
  const bytes = match === null ? Number.NaN : Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
  if (!Number.isFinite(bytes) || bytes < 1) throw new UsageError(`--${flag} must be a size such as 1048576, 512k, 64m or 1g; got "${value}".`, command);
  return bytes;
}
