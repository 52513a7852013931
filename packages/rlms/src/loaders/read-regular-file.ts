import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

/**
 * Opening flags: read only, and never wait. Opening a named pipe (FIFO) blocks until a writer
 * comes; `O_NONBLOCK` makes that open return at once, so it can be refused instead of hanging.
 * It changes nothing for regular files.
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a path is, in words, when it is not a regular file (`'a named pipe (FIFO)'`), else `undefined`. */
export function describeSpecialFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** The outcome of {@link readRegularFile}. */
export type RegularFileResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'special'; readonly detail: string }
  | { readonly ok: false; readonly reason: 'too-large'; readonly detail: string; readonly size: number }
  | { readonly ok: false; readonly reason: 'unreadable'; readonly detail: string; readonly code: string | undefined };

/**
 * Reads a regular file whole, at most `maxBytes` (checked before reading, and again while reading a
 * file that grows). Special files (FIFOs, sockets, devices, folders) are refused without reading:
 * checked with `stat` before opening, opened non-blocking, and checked again on the open handle.
 * Symbolic links are followed (callers that must not follow them check with `lstat` first).
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<RegularFileResult> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: (error as Error).message, code: (error as NodeJS.ErrnoException).code };
  }
  const special = describeSpecialFile(info);
  if (special !== undefined) return { ok: false, reason: 'special', detail: `${special}, not a regular file` };
  if (info.size > maxBytes) return { ok: false, reason: 'too-large', detail: `${info.size} bytes > ${maxBytes}`, size: info.size };
  let handle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: (error as Error).message, code: (error as NodeJS.ErrnoException).code };
  }
  try {
    const opened = await handle.stat();
    const swapped = describeSpecialFile(opened);
    if (swapped !== undefined) return { ok: false, reason: 'special', detail: `${swapped}, not a regular file` };
    if (opened.size > maxBytes) return { ok: false, reason: 'too-large', detail: `${opened.size} bytes > ${maxBytes}`, size: opened.size };
    return await readBounded(handle, opened.size, maxBytes);
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: (error as Error).message, code: (error as NodeJS.ErrnoException).code };
  } finally {
    await handle.close();
  }
}

/** Reads to the end, at most `maxBytes + 1` bytes (one more tells a file that grew past the limit since `fstat`). */
async function readBounded(handle: FileHandle, expectedSize: number, maxBytes: number): Promise<RegularFileResult> {
  let buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, expectedSize + 1));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) return { ok: false, reason: 'too-large', detail: `more than ${maxBytes} bytes`, size: length };
      const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) return { ok: true, bytes: buffer.subarray(0, length) };
    length += bytesRead;
  }
}
