import { ContextError } from '@rlms/core';
import { readDataFile } from './read-data-file.js';

/**
 * Parses JSON Lines: one JSON value per line; blank lines skipped; `\r\n` accepted.
 * Throws `ContextError` (code `'jsonl-invalid'`) naming the first bad line: `"data.jsonl, line 7: …"`.
 *
 * @param source name used in error messages. Default `'JSONL input'`.
 */
export function parseJsonl(text: string, source = 'JSONL input'): unknown[] {
  const values: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = (index === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      const preview = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw new ContextError(`${source}, line ${index + 1}: invalid JSON (${(error as Error).message}): ${preview}`, { code: 'jsonl-invalid', cause: error });
    }
  }
  return values;
}

/**
 * Reads a JSON Lines file as an array of values (see {@link parseJsonl}). Throws `ContextError` for
 * unreadable files, FIFOs, sockets and devices (`'context-not-regular'`, never opened), files over
 * 256 MiB (`'context-too-large'`) and bad lines.
 */
export async function loadJsonl(path: string): Promise<unknown[]> {
  const text = await readDataFile(path);
  return parseJsonl(text, path);
}
