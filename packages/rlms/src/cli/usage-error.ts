/** A command-line mistake (unknown flag, bad value): printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point at (`'ask'`), or `undefined` for the top level. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses a positive integer flag value. */
export function parseInteger(flag: string, value: string | undefined, command: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.replaceAll('_', '')) || Number(value.replaceAll('_', '')) < min) {
    throw new UsageError(`--${flag} must be an integer ≥ ${min}; got "${value}".`, command);
  }
  return Number(value.replaceAll('_', ''));
}

/** Parses a non-negative number flag value (`--max-cost 0.5`, `$0.5`). */
export function parseNumber(flag: string, value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/^\$/, '').replaceAll('_', ''));
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new UsageError(`--${flag} must be a number ≥ 0; got "${value}".`, command);
  return number;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration: `90` (seconds), `90s`, `1.5m`, `2h`, `500ms`. Returns milliseconds. */
export function parseDuration(flag: string, value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null || Number(match[1]) <= 0) {
    throw new UsageError(`--${flag} must be a duration such as 90 (seconds), 90s, 10m, 1h or 500ms; got "${value}".`, command);
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!);
}
