import { Readable } from 'node:stream';

/** One entry of a tar archive built by {@link createTarStream}. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, relative (e.g. `rlms/context.bin`). At most 100 bytes of UTF-8. */
  readonly name: string;
  /** `'file'` (default when `data` is given) or `'directory'`. */
  readonly type?: 'file' | 'directory';
  /** File contents; ignored for directories. */
  readonly data?: Uint8Array;
  /** Permission bits; default `0o644` for files, `0o755` for directories. */
  readonly mode?: number;
  /** Numeric owner ids written in the header (the engine keeps them when it extracts). Default 0. */
  readonly uid?: number;
  readonly gid?: number;
  /** Modification time in milliseconds since the epoch; default now. */
  readonly mtimeMs?: number;
}

const BLOCK = 512;
/** Largest slice of file data pushed at once, so a 100 MB payload streams instead of being copied. */
const CHUNK = 1 << 20;
/** Largest size an 11-digit octal field can hold (8 GiB - 1). */
const MAX_SIZE = 0o77777777777;

/**
 * Builds a POSIX ustar archive as a stream, without copying file data: the header blocks are
 * generated and each file's bytes are pushed as slices of the caller's `Uint8Array`. Enough for
 * `container.putArchive` (regular files and directories, short names); not a general tar library.
 *
 * @throws {RangeError} when a name is longer than 100 bytes, or a file is 8 GiB or larger.
 */
export function createTarStream(entries: readonly TarEntry[]): Readable {
  for (const entry of entries) {
    if (Buffer.byteLength(entry.name) > 100 || entry.name.length === 0) {
      throw new RangeError(`tar entry name must be 1-100 bytes: ${JSON.stringify(entry.name)}`);
    }
    if ((entry.data?.byteLength ?? 0) > MAX_SIZE) {
      throw new RangeError(`tar entry ${entry.name} is too large (${entry.data?.byteLength} bytes; limit 8 GiB)`);
    }
  }
  return Readable.from(tarChunks(entries), { objectMode: false });
}

function* tarChunks(entries: readonly TarEntry[]): Generator<Uint8Array> {
  for (const entry of entries) {
    const isDirectory = entry.type === 'directory' || (entry.type === undefined && entry.data === undefined);
    const data = isDirectory ? new Uint8Array(0) : (entry.data ?? new Uint8Array(0));
    yield tarHeader(entry, isDirectory, data.byteLength);
    for (let offset = 0; offset < data.byteLength; offset += CHUNK) {
      yield data.subarray(offset, Math.min(offset + CHUNK, data.byteLength));
    }
    const padding = (BLOCK - (data.byteLength % BLOCK)) % BLOCK;
    if (padding > 0) yield new Uint8Array(padding);
  }
  // End of archive: two zero blocks.
  yield new Uint8Array(BLOCK * 2);
}

function tarHeader(entry: TarEntry, isDirectory: boolean, size: number): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  const name = isDirectory && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  if (Buffer.byteLength(name) > 100) {
    throw new RangeError(`tar entry name must be at most 100 bytes: ${JSON.stringify(name)}`);
  }
  header.write(name, 0, 100, 'utf8');
  writeOctal(header, entry.mode ?? (isDirectory ? 0o755 : 0o644), 100, 8);
  writeOctal(header, entry.uid ?? 0, 108, 8);
  writeOctal(header, entry.gid ?? 0, 116, 8);
  writeOctal(header, size, 124, 12);
  writeOctal(header, Math.floor((entry.mtimeMs ?? Date.now()) / 1000), 136, 12);
  header.write(isDirectory ? '5' : '0', 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'binary');
  // Checksum: computed with the checksum field itself filled with spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return header;
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  // length - 1 octal digits followed by a NUL terminator.
  header.write(`${Math.trunc(value).toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
