import { ContextError } from '@rlms/core';
import { readRegularFile } from './read-regular-file.js';

/** Largest CSV or JSONL file read whole, in bytes (the loaders' default total, 256 MiB). */
export const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a data file (CSV, JSONL) as UTF-8 text. Throws `ContextError`: `'context-not-found'` when it
 * cannot be read, `'context-not-regular'` for a FIFO, socket or device (never opened for reading,
 * so a pipe with no writer cannot hang), `'context-too-large'` over `maxBytes`.
 */
export async function readDataFile(path: string, maxBytes: number = MAX_DATA_FILE_BYTES): Promise<string> {
  const result = await readRegularFile(path, maxBytes);
  if (result.ok) return result.bytes.toString('utf8');
  switch (result.reason) {
    case 'special':
      throw new ContextError(`${path} is ${result.detail}: load regular files only (for a pipe, read it yourself and pass the text).`, { code: 'context-not-regular' });
    case 'too-large':
      throw new ContextError(`${path} is larger than ${maxBytes} bytes (${result.detail}): split it, or read it in parts yourself.`, { code: 'context-too-large' });
    default:
      throw new ContextError(`Cannot read ${path}: ${result.detail}`, { code: 'context-not-found' });
  }
}
