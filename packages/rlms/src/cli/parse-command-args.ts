import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

/** What {@link parseCommandArgs} returns: `parseArgs`'s values and positionals. */
export type ParsedCommandArgs<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>;

function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Edit distance of two short strings, a swap of neighbours counting as one edit (for "did you mean"). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/** The option a mistyped name most likely meant: a close spelling, or the only option it starts. */
function closestOption(name: string, options: ParseArgsOptionsConfig): string | undefined {
  const names = Object.keys(options);
  const starting = names.filter((option) => option.startsWith(name));
  if (name.length >= 3 && starting.length === 1) return starting[0];
  let best: { name: string; distance: number } | undefined;
  for (const option of names) {
    const d = distance(name, option);
    if (d <= Math.max(1, Math.floor(option.length / 4)) && (best === undefined || d < best.distance)) best = { name: option, distance: d };
  }
  return best?.name;
}

/** How an option is written in a message: `--port`, or `-p, --port` when it has a short form. */
function spelled(name: string, options: ParseArgsOptionsConfig): string {
  const short = options[name]?.short;
  return short === undefined ? `--${name}` : `-${short}, --${name}`;
}

/** One sentence saying what is wrong with `args`, naming the option; Node's own message as a fallback. */
function explain(command: string, args: readonly string[], options: ParseArgsOptionsConfig, allowPositionals: boolean, error: Error): string {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional' && !allowPositionals) {
      return `Unexpected argument "${token.value}": rlms ${command} takes options only.`;
    }
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option === undefined) {
      const guess = closestOption(token.name, options);
      const dash = token.rawName.startsWith('--') ? '' : ' (to pass a value starting with "-", write it as --option=-value)';
      return `Unknown option '${token.rawName}' for rlms ${command}${guess === undefined ? `${dash}.` : `: did you mean --${guess}?`}`;
    }
    if (option.type === 'boolean' && token.inlineValue === true) {
      return `Option ${spelled(token.name, options)} takes no value; got "${token.rawName}=${token.value ?? ''}".`;
    }
    if (option.type === 'string' && token.value === undefined) {
      return `Option ${spelled(token.name, options)} needs a value, e.g. ${token.rawName} <value>.`;
    }
    if (option.type === 'string' && token.inlineValue === false && token.value !== undefined && token.value.length > 1 && token.value.startsWith('-')) {
      return `Option ${spelled(token.name, options)} needs a value, but "${token.value}" follows it; to pass a value starting with "-", write ${token.rawName}=${token.value}.`;
    }
  }
  return `${error.message.replace(/^TypeError \[\w+\]: /, '').split('\n')[0]}.`.replace(/\.\.$/, '.');
}

/**
 * `node:util` `parseArgs` (strict) for the command `rlms <command>`, with mistakes reported as a
 * `UsageError` naming the option (`Unknown option '--bogus' for rlms serve: did you mean --host?`)
 * instead of Node's raw message; the CLI adds the pointer to `rlms <command> --help`.
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
  allowPositionals: boolean,
): ParsedCommandArgs<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true }) as ParsedCommandArgs<T>;
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    throw new UsageError(explain(command, args, options, allowPositionals, error), command);
  }
}
