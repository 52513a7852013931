import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigurationError } from '../../errors/errors.js';

/** Owner read and write only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Create (or truncate) and never block: `O_NONBLOCK` makes opening a FIFO fail instead of waiting
 * for a reader; `O_NOFOLLOW` refuses a symbolic link planted at the path (it would redirect the
 * write, and the permission change, to its target).
 */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Writes `text` to `path` readable and writable by the owner only (0600): created with that mode,
 * and set to it when the file already existed with another; parent folders are created (0700).
 * Throws `ConfigurationError` (code `'output-not-writable'`) when the path is a symbolic link, a
 * FIFO, a device or a folder, or cannot be written, saying which path.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  let handle;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    handle = await open(path, WRITE_FLAGS, PRIVATE_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link (not followed: write to the real path)' : code === 'ENXIO' ? 'it is a named pipe with no reader' : (error as Error).message;
    throw new ConfigurationError(`Cannot write ${path}: ${why}.`, { code: 'output-not-writable', cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ConfigurationError(`Cannot write ${path}: it is not a regular file; choose another path.`, { code: 'output-not-writable' });
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.truncate(0);
    await handle.writeFile(text, 'utf8');
  } catch (error) {
    if (ConfigurationError.isInstance(error)) throw error;
    throw new ConfigurationError(`Cannot write ${path}: ${(error as Error).message}.`, { code: 'output-not-writable', cause: error });
  } finally {
    await handle.close();
  }
}
