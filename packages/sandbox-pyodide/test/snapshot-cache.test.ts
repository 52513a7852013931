/**
 * The on-disk snapshot cache: where it lives, what its key covers, what it refuses, and that a new
 * provider (as in a new process) starts from the snapshot a previous one saved, which never holds
 * anything a session put in its interpreter.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@rlms/core';
import { readRuntimeSource } from '@rlms/core/sandbox';
import { createFakeHost } from '@rlms/core/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPyodideSandbox, type PyodideSandboxProvider, type PyodideSandboxSession } from '../src/index.js';
import { resolvePyodideSandboxSettings } from '../src/pyodide-sandbox-settings.js';
import { SNAPSHOT_SUBDIR, SnapshotCache, defaultSnapshotCacheDir, snapshotCacheKey } from '../src/snapshot-cache.js';

const MIB = 1024 * 1024;
const temporary: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rlms-snapshot-test-'));
  temporary.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A cache whose warnings are collected. */
function cacheIn(dir: string): { cache: SnapshotCache; warnings: string[] } {
  const warnings: string[] = [];
  return { cache: new SnapshotCache(dir, (message) => warnings.push(message)), warnings };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const KEY = 'a'.repeat(64);

describe('where the snapshot cache lives', () => {
  it('follows RLMS_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache; RLMS_CACHE_DIR=off disables it', () => {
    expect(defaultSnapshotCacheDir({ RLMS_CACHE_DIR: '/var/rlms', XDG_CACHE_HOME: '/xdg' })).toBe(`/var/rlms/${SNAPSHOT_SUBDIR}`);
    expect(defaultSnapshotCacheDir({ RLMS_CACHE_DIR: 'off' })).toBeUndefined();
    expect(defaultSnapshotCacheDir({ RLMS_CACHE_DIR: 'OFF', XDG_CACHE_HOME: '/xdg' })).toBeUndefined();
    expect(defaultSnapshotCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe(`/xdg/rlms/${SNAPSHOT_SUBDIR}`);
    expect(defaultSnapshotCacheDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\/\.cache\/rlms\/pyodide-snapshots$/);
    expect(defaultSnapshotCacheDir({})).toMatch(/\/\.cache\/rlms\/pyodide-snapshots$/);
  });

  it('is a setting: a path, false to disable it, anything else a ConfigurationError', () => {
    expect(resolvePyodideSandboxSettings({ snapshotCacheDir: '/somewhere' }).snapshotCacheDir).toBe('/somewhere');
    expect(resolvePyodideSandboxSettings({ snapshotCacheDir: false }).snapshotCacheDir).toBeUndefined();
    // The test run's global setup points RLMS_CACHE_DIR at a temporary directory.
    expect(resolvePyodideSandboxSettings().snapshotCacheDir).toBe(join(process.env['RLMS_CACHE_DIR']!, SNAPSHOT_SUBDIR));
    for (const bad of ['', true, 3]) {
      expect(() => createPyodideSandbox({ snapshotCacheDir: bad as never })).toThrow(/snapshotCacheDir/);
    }
    expect(() => createPyodideSandbox({ onWarning: 'log' as never })).toThrowError(ConfigurationError);
  });
});

describe('snapshot cache key', () => {
  const runtimeSource = readRuntimeSource();
  it('is stable for the same inputs and changes with the memory limit and the runtime', () => {
    const key = snapshotCacheKey({ runtimeSource, memoryLimitBytes: 2048 * MIB });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotCacheKey({ runtimeSource, memoryLimitBytes: 2048 * MIB })).toBe(key);
    expect(snapshotCacheKey({ runtimeSource, memoryLimitBytes: 1024 * MIB })).not.toBe(key);
    expect(snapshotCacheKey({ runtimeSource: `${runtimeSource}\n# changed`, memoryLimitBytes: 2048 * MIB })).not.toBe(key);
  });
});

describe('SnapshotCache files', () => {
  it('writes 0600 files in a 0700 directory it creates, and reads them back', async () => {
    const dir = join(tempDir(), 'nested', 'snapshots');
    const { cache, warnings } = cacheIn(dir);
    await cache.save(KEY, bytes('heap bytes'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(cache.fileFor(KEY)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([`${KEY}.snapshot`]); // no temporary file left behind
    expect(new TextDecoder().decode(await cache.load(KEY, MIB))).toBe('heap bytes');
    expect(await cache.load('b'.repeat(64), MIB)).toBeUndefined(); // a miss is not worth a warning
    expect(warnings).toEqual([]);
  });

  it('refuses a corrupted, truncated or oversized file with a warning', async () => {
    const { cache, warnings } = cacheIn(tempDir());
    await cache.save(KEY, bytes('heap bytes'));
    const file = cache.fileFor(KEY);
    const intact = readFileSync(file);
    const flipped = Buffer.from(intact);
    flipped[flipped.length - 2]! ^= 0xff;
    writeFileSync(file, flipped, { mode: 0o600 });
    expect(await cache.load(KEY, MIB)).toBeUndefined();
    expect(warnings.pop()).toMatch(/corrupted/);
    writeFileSync(file, intact.subarray(0, intact.length - 3), { mode: 0o600 });
    expect(await cache.load(KEY, MIB)).toBeUndefined();
    expect(warnings.pop()).toMatch(/corrupted/);
    writeFileSync(file, intact, { mode: 0o600 });
    expect(await cache.load(KEY, 4)).toBeUndefined();
    expect(warnings.pop()).toMatch(/bytes/);
    // The same bytes under another key do not pass either (the digest covers the key).
    writeFileSync(cache.fileFor('c'.repeat(64)), intact, { mode: 0o600 });
    expect(await cache.load('c'.repeat(64), MIB)).toBeUndefined();
    expect(warnings.pop()).toMatch(/corrupted/);
  });

  it('refuses a file or directory writable by group or others, and a symbolic link', async () => {
    const dir = tempDir();
    const { cache, warnings } = cacheIn(dir);
    await cache.save(KEY, bytes('heap bytes'));
    chmodSync(cache.fileFor(KEY), 0o666);
    expect(await cache.load(KEY, MIB)).toBeUndefined();
    expect(warnings.pop()).toMatch(/writable by group or others/);
    chmodSync(cache.fileFor(KEY), 0o600);
    chmodSync(dir, 0o777);
    expect(await cache.load(KEY, MIB)).toBeUndefined();
    expect(warnings.pop()).toMatch(/directory .* writable by group or others/);
    await cache.save(KEY, bytes('other'));
    expect(warnings.pop()).toMatch(/not saved/);
    chmodSync(dir, 0o700);
    expect(new TextDecoder().decode(await cache.load(KEY, MIB))).toBe('heap bytes');

    const elsewhere = join(tempDir(), 'real.snapshot');
    writeFileSync(elsewhere, readFileSync(cache.fileFor(KEY)), { mode: 0o600 });
    const linked = cacheIn(tempDir());
    symlinkSync(elsewhere, linked.cache.fileFor(KEY));
    expect(await linked.cache.load(KEY, MIB)).toBeUndefined();
    expect(linked.warnings.pop()).toMatch(/cannot open/);
  });

  it('refuses a file or directory owned by another user', async () => {
    if (process.getuid?.() === 0) {
      // As root: hand a valid file to another uid.
      const { cache, warnings } = cacheIn(tempDir());
      await cache.save(KEY, bytes('heap bytes'));
      chownSync(cache.fileFor(KEY), 4242, 4242);
      expect(await cache.load(KEY, MIB)).toBeUndefined();
      expect(warnings.pop()).toMatch(/belongs to another user \(uid 4242\)/);
    } else {
      // Not root: the root directory belongs to root.
      const { cache, warnings } = cacheIn('/');
      expect(await cache.load(KEY, MIB)).toBeUndefined();
      expect(warnings.pop()).toMatch(/belongs to another user/);
    }
  });
});

describe('pyodide sessions and the snapshot on disk', () => {
  const host = createFakeHost();
  const open: { provider: PyodideSandboxProvider; session?: PyodideSandboxSession }[] = [];
  const dir = tempDir();
  const file = (): string => {
    const names = readdirSync(dir).filter((name) => name.endsWith('.snapshot'));
    expect(names).toHaveLength(1);
    return join(dir, names[0]!);
  };

  async function start(settings: Parameters<typeof createPyodideSandbox>[0] = {}): Promise<{ session: PyodideSandboxSession; warnings: string[]; provider: PyodideSandboxProvider }> {
    const warnings: string[] = [];
    const provider = createPyodideSandbox({ snapshotCacheDir: dir, warmPoolSize: 0, onWarning: (message) => warnings.push(message), ...settings });
    const entry: (typeof open)[number] = { provider };
    open.push(entry);
    entry.session = await provider.createSession({ host });
    return { session: entry.session, warnings, provider };
  }
  afterEach(async () => {
    for (const { provider, session } of open.splice(0)) {
      await session?.destroy();
      await provider.close();
    }
  });

  const marker = `rlms-user-marker-${Math.random().toString(36).slice(2)}`;

  it('boots cold the first time and saves a snapshot taken before any session state', async () => {
    const { session, warnings, provider } = await start();
    expect(session.snapshot).toBe('none');
    await session.loadContext({ format: 'text', bytes: bytes(`context ${marker}`) });
    const run = await session.execute(`user_value = ${JSON.stringify(marker)} * 3\nprint(len(user_value))`);
    expect(run.stdout).toBe(`${marker.length * 3}\n`);
    await session.destroy();
    await provider.close(); // waits for the snapshot to be on disk
    expect(warnings).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    // Nothing the session put in its interpreter (code, values, context) is in the snapshot, which
    // is the raw heap: what the interpreter held before the session, such as the glue module's name, is.
    const stored = readFileSync(file());
    expect(stored.includes(Buffer.from('_rlms_pyodide_glue'))).toBe(true);
    expect(stored.includes(Buffer.from(marker))).toBe(false);
  });

  it('starts a new provider (as in a new process) from the snapshot on disk, then from memory', async () => {
    const { session, warnings, provider } = await start();
    expect(session.snapshot).toBe('disk');
    const run = await session.execute(
      "print(sum(range(10)), 'user_value' in globals(), 'context' in globals(), callable(llm_query))",
    );
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe('45 False False True\n');
    const second = await provider.createSession({ host });
    try {
      expect(second.snapshot).toBe('memory');
      expect((await second.execute('print(6 * 7)')).stdout).toBe('42\n');
    } finally {
      await second.destroy();
    }
    expect(warnings).toEqual([]);
  });

  it('boots cold with a warning when the file is corrupted, and replaces it', async () => {
    const path = file();
    const corrupted = readFileSync(path);
    corrupted[corrupted.length >> 1]! ^= 0xff;
    writeFileSync(path, corrupted, { mode: 0o600 });
    const { session, warnings, provider } = await start();
    expect(session.snapshot).toBe('none');
    expect((await session.execute('print(1 + 1)')).stdout).toBe('2\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/corrupted/);
    await provider.close();
    expect(readFileSync(path).equals(corrupted)).toBe(false);
  });

  it('boots cold, discards the file and warns when an intact-looking snapshot cannot be restored', async () => {
    const key = snapshotCacheKey({ runtimeSource: readRuntimeSource(), memoryLimitBytes: 2048 * MIB });
    expect(file()).toBe(join(dir, `${key}.snapshot`));
    await new SnapshotCache(dir, () => undefined).save(key, bytes('not a pyodide heap'));
    const { session, warnings } = await start();
    expect(session.snapshot).toBe('none');
    expect((await session.execute('print(2 + 2)')).stdout).toBe('4\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not be restored/);
  });

  it('refuses a group- or world-writable directory: cold start, warning, nothing written', async () => {
    const open = join(tempDir(), 'shared');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const { session, warnings, provider } = await start({ snapshotCacheDir: open });
    expect(session.snapshot).toBe('none');
    await provider.close();
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.every((warning) => /writable by group or others/.test(warning))).toBe(true);
    expect(readdirSync(open)).toEqual([]);
  });

  it('writes nothing when disabled', async () => {
    const previous = process.env['RLMS_CACHE_DIR'];
    const root = tempDir();
    let provider: PyodideSandboxProvider;
    process.env['RLMS_CACHE_DIR'] = root;
    try {
      provider = createPyodideSandbox({ snapshotCacheDir: false, warmPoolSize: 0 });
    } finally {
      process.env['RLMS_CACHE_DIR'] = previous;
    }
    const session = await provider.createSession({ host });
    open.push({ provider, session });
    expect(session.snapshot).toBe('none');
    await session.destroy();
    await provider.close();
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(join(root, SNAPSHOT_SUBDIR))).toBe(false);
  });
});
