/**
 * The on-disk cache of Pyodide memory snapshots, so a sandbox in a new host process restores an
 * initialised interpreter (well under a second) instead of booting CPython (seconds).
 *
 * Trust: a snapshot is restored into the sandbox that runs hostile code *before* that sandbox is
 * locked down, so whoever can write a snapshot file controls a sandbox's start. Hence:
 * - only the host writes files here, and only the bytes of a snapshot taken by a fresh interpreter
 *   before any model code, context or tool ran (see `WorkerPool`); nothing a sandbox sends later is
 *   ever stored;
 * - the directory is created 0700 and files 0600, written atomically (temporary file + rename);
 * - a directory or file owned by another user, or writable by group or others, is refused (warning,
 *   cold start); files are opened without following symbolic links;
 * - a file is read only up to a size cap, and its SHA-256 digest (over the key and the bytes) is
 *   checked before use, so a truncated or corrupted file means a cold start, never a broken sandbox.
 * Code running as the same user can replace the file, as it could replace this package's code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { GLUE_SOURCE } from './worker/glue-source.js';

/** Where a session's interpreter came from: booted from scratch, the provider's snapshot, or one read from disk. */
export type PyodideSnapshotSource = 'none' | 'memory' | 'disk';

/** Bumped when the file layout or what goes into a snapshot changes. */
const FORMAT = 'rlms-pyodide-snapshot-v1';
const MAGIC = Buffer.from('RLMSSNP1', 'latin1');
const DIGEST_BYTES = 32;
const HEADER_BYTES = MAGIC.length + DIGEST_BYTES;
const FILE_SUFFIX = '.snapshot';
const FILE_NAME = /^[0-9a-f]{64}\.snapshot$/;
const TMP_NAME = /^[0-9a-f]{64}\.snapshot\.[0-9a-f]+\.tmp$/;
/** Snapshot files kept in the directory (one per key: memory limit, runtime, versions). */
const MAX_KEPT = 4;
/** A temporary file older than this was left by a process that died while writing. */
const STALE_TMP_MS = 60 * 60 * 1000;
/** Subdirectory of the rlms cache directory that holds the snapshots. */
export const SNAPSHOT_SUBDIR = 'pyodide-snapshots';

/**
 * The default snapshot directory: `$RLMS_CACHE_DIR/pyodide-snapshots`, else
 * `$XDG_CACHE_HOME/rlms/pyodide-snapshots`, else `~/.cache/rlms/pyodide-snapshots`.
 * `undefined` (cache off) when `RLMS_CACHE_DIR` is `off` or no home directory is known.
 */
export function defaultSnapshotCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const rlms = env['RLMS_CACHE_DIR']?.trim();
  if (rlms) return rlms.toLowerCase() === 'off' ? undefined : join(resolve(rlms), SNAPSHOT_SUBDIR);
  const xdg = env['XDG_CACHE_HOME']?.trim();
  if (xdg && isAbsolute(xdg)) return join(xdg, 'rlms', SNAPSHOT_SUBDIR);
  let home = '';
  try {
    home = homedir();
  } catch {
    // no home directory: no cache
  }
  return home ? join(home, '.cache', 'rlms', SNAPSHOT_SUBDIR) : undefined;
}

let versions: string | undefined;

/** Versions of Pyodide, this package and Node, and the platform: read once. */
function versionStamp(): string {
  if (versions !== undefined) return versions;
  const require = createRequire(import.meta.url);
  const pyodide = (require('pyodide/package.json') as { version?: string }).version ?? '?';
  const own = (require('../package.json') as { version?: string }).version ?? '?';
  versions = JSON.stringify([FORMAT, pyodide, own, process.version, process.platform, process.arch]);
  return versions;
}

/**
 * The cache key of a snapshot: SHA-256 (hex) over everything that shapes the snapshotted heap or
 * must match when it is restored: the format, the Pyodide, package and Node versions, platform and
 * architecture, the Python runtime and glue sources, and the WebAssembly memory limit.
 */
export function snapshotCacheKey(inputs: { readonly runtimeSource: string; readonly memoryLimitBytes: number }): string {
  const hash = createHash('sha256');
  for (const part of [versionStamp(), String(inputs.memoryLimitBytes), GLUE_SOURCE, inputs.runtimeSource]) {
    hash.update(String(Buffer.byteLength(part)));
    hash.update(':');
    hash.update(part);
  }
  return hash.digest('hex');
}

function digestOf(key: string, bytes: Uint8Array): Buffer {
  return createHash('sha256').update(FORMAT).update(key).update(bytes).digest();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why a directory or file may not be trusted, or `undefined` when it may. */
function untrusted(what: string, path: string, info: { uid: number; mode: number }): string | undefined {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === undefined) return undefined; // Windows: no POSIX owners or modes to check
  if (info.uid !== uid) return `${what} ${path} belongs to another user (uid ${info.uid})`;
  if ((info.mode & 0o022) !== 0) {
    return `${what} ${path} is writable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod go-w on it`;
  }
  return undefined;
}

/** Writes all of `bytes` at `position` (a single write may be partial). */
async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/**
 * One snapshot directory. Every method catches its own failures: a problem is reported through
 * `warn` and means "no snapshot from disk" (a cold start), never an error for the caller.
 */
export class SnapshotCache {
  readonly dir: string;
  /** Reports a problem with the cache (prefixed, and never throwing). */
  readonly warn: (message: string) => void;

  constructor(dir: string, warn: (message: string) => void) {
    this.dir = dir;
    this.warn = (message) => {
      try {
        warn(`Pyodide snapshot cache: ${message}`);
      } catch {
        // a failing warning handler must not break a session start
      }
    };
  }

  /** Path of the snapshot file of `key`. */
  fileFor(key: string): string {
    return join(this.dir, `${key}${FILE_SUFFIX}`);
  }

  /**
   * The snapshot stored under `key`, or `undefined` when there is none or it cannot be trusted
   * (with a warning, except when the file simply does not exist yet). Reads at most
   * `maxBytes` of snapshot.
   */
  async load(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const path = this.fileFor(key);
    try {
      const dirInfo = await stat(this.dir);
      const dirProblem = dirInfo.isDirectory() ? untrusted('the directory', this.dir, dirInfo) : `${this.dir} is not a directory`;
      if (dirProblem) return void this.warn(`${dirProblem}; starting without it.`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return void this.warn(`cannot read ${this.dir} (${describe(error)}); starting without it.`);
    }
    let file;
    try {
      // No symbolic link; O_NONBLOCK so a FIFO put there cannot stall the start (then refused: not a file).
      file = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return void this.warn(`cannot open ${path} (${describe(error)}); starting without it.`);
    }
    try {
      const info = await file.stat();
      const problem = !info.isFile()
        ? `${path} is not a regular file`
        : untrusted('the file', path, info) ??
          (info.size <= HEADER_BYTES || info.size > HEADER_BYTES + maxBytes
            ? `${path} has ${info.size} bytes, outside the expected 1..${maxBytes} bytes of snapshot`
            : undefined);
      if (problem) return void this.warn(`${problem}; starting without it.`);
      const buffer = Buffer.allocUnsafe(info.size);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      const snapshot = buffer.subarray(HEADER_BYTES, filled);
      const intact =
        filled === buffer.length &&
        buffer.subarray(0, MAGIC.length).equals(MAGIC) &&
        buffer.subarray(MAGIC.length, HEADER_BYTES).equals(digestOf(key, snapshot));
      if (!intact) return void this.warn(`${path} is corrupted (digest mismatch); starting without it.`);
      return snapshot;
    } catch (error) {
      return void this.warn(`cannot read ${path} (${describe(error)}); starting without it.`);
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  /**
   * Stores `snapshot` under `key` (atomically, 0600, in a 0700 directory it creates), then removes
   * all but the newest few other snapshots. The caller guarantees the bytes come from a fresh
   * interpreter that ran no model code.
   */
  async save(key: string, snapshot: Uint8Array): Promise<void> {
    const path = this.fileFor(key);
    const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const dirInfo = await stat(this.dir);
      const problem = dirInfo.isDirectory() ? untrusted('the directory', this.dir, dirInfo) : `${this.dir} is not a directory`;
      if (problem) return void this.warn(`${problem}; the snapshot was not saved.`);
      const header = Buffer.concat([MAGIC, digestOf(key, snapshot)]);
      const file = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0), 0o600);
      try {
        await writeAll(file, header, 0);
        await writeAll(file, snapshot, header.length);
      } finally {
        await file.close();
      }
      await rename(tmp, path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      return void this.warn(`cannot write ${path} (${describe(error)}); the next process will boot cold.`);
    }
    await this.prune(key);
  }

  /** Removes the snapshot of `key` (one that failed to restore), so the next start rewrites it. */
  async discard(key: string): Promise<void> {
    await unlink(this.fileFor(key)).catch(() => undefined);
  }

  /** Keeps the newest `MAX_KEPT` snapshot files (ours included) and drops stale temporary files. */
  private async prune(keep: string): Promise<void> {
    try {
      const now = Date.now();
      const snapshots: { name: string; mtimeMs: number }[] = [];
      for (const name of await readdir(this.dir)) {
        if (!FILE_NAME.test(name) && !TMP_NAME.test(name)) continue;
        const info = await lstat(join(this.dir, name)).catch(() => undefined);
        if (!info?.isFile()) continue;
        if (TMP_NAME.test(name)) {
          if (now - info.mtimeMs > STALE_TMP_MS) await unlink(join(this.dir, name)).catch(() => undefined);
        } else if (name !== `${keep}${FILE_SUFFIX}`) {
          snapshots.push({ name, mtimeMs: info.mtimeMs });
        }
      }
      snapshots.sort((a, b) => b.mtimeMs - a.mtimeMs);
      for (const { name } of snapshots.slice(MAX_KEPT - 1)) await unlink(join(this.dir, name)).catch(() => undefined);
    } catch {
      // pruning is best effort
    }
  }
}
