import { open } from 'node:fs/promises';

/** Why a loader left a file out. */
export type SkipReason = 'binary' | 'too-large' | 'unreadable' | 'symlink' | 'special';

/** Called for each file a loader leaves out (ignored files excepted). */
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
 * (`'too-large'`), or failing to open (`'unreadable'`).
 */
export async function readTextFile(path: string, maxBytes: number = DEFAULT_MAX_FILE_BYTES): Promise<TextFileResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: (error as Error).message };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: 'special', detail: 'not a regular file' };
    if (info.size > maxBytes) return { ok: false, reason: 'too-large', detail: `${info.size} bytes > maxFileBytes ${maxBytes}` };
    const bytes = await handle.readFile();
    if (bytes.byteLength > maxBytes) return { ok: false, reason: 'too-large', detail: `${bytes.byteLength} bytes > maxFileBytes ${maxBytes}` };
    if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { ok: false, reason: 'binary', detail: 'contains NUL bytes' };
    try {
      return { ok: true, text: decoder.decode(bytes) };
    } catch {
      return { ok: false, reason: 'binary', detail: 'not valid UTF-8' };
    }
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: (error as Error).message };
  } finally {
    await handle.close();
  }
}
