import { readRegularFile } from './read-regular-file.js';

/**
 * Why a loader left a file (or folder) out:
 * - `'binary'`: NUL bytes or invalid UTF-8; `'too-large'`: over `maxFileBytes`;
 * - `'unreadable'`: could not be listed or read (permissions…);
 * - `'symlink'`: symbolic links in a folder are not followed;
 * - `'special'`: a named pipe (FIFO), socket or device: never opened for reading;
 * - `'ignored'`: matched by `.gitignore`, `.git/info/exclude`, the `exclude` option or the default
 *   secret excludes, or a VCS/dependency folder (`.git`, `node_modules`);
 * - `'not-included'`: did not match the `include` option.
 */
export type SkipReason = 'binary' | 'too-large' | 'unreadable' | 'symlink' | 'special' | 'ignored' | 'not-included';

/** Called for each file or folder a loader leaves out, with the reason and a detail (which rule, which size). */
export type SkipHandler = (path: string, reason: SkipReason, detail?: string) => void;

/** Default largest file a loader reads, in bytes (1 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Bytes inspected for NUL bytes to tell binary files. */
const SNIFF_BYTES = 8_000;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The outcome of {@link readTextFile}. */
export type TextFileResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: SkipReason; readonly detail: string };

/**
 * Reads a file as exact UTF-8 text (a leading BOM dropped, line endings kept). Not text: files with
 * a NUL byte in their first 8,000 bytes or invalid UTF-8 (`'binary'`), larger than `maxBytes`
 * (`'too-large'`, checked before reading), FIFOs, sockets and devices (`'special'`, never opened
 * in a way that could block), or failing to open (`'unreadable'`).
 */
export async function readTextFile(path: string, maxBytes: number = DEFAULT_MAX_FILE_BYTES): Promise<TextFileResult> {
  const result = await readRegularFile(path, maxBytes);
  if (!result.ok) {
    return { ok: false, reason: result.reason, detail: result.reason === 'too-large' ? `${result.detail} (maxFileBytes)` : result.detail };
  }
  const { bytes } = result;
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { ok: false, reason: 'binary', detail: 'contains NUL bytes' };
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, reason: 'binary', detail: 'not valid UTF-8' };
  }
}
