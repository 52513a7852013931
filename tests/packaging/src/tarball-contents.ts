/**
 * What a packed tarball ships, and the two ways its build output can be wrong (issue 21 point 12):
 * a source map whose `sources` (or a `sourceMappingURL` whose map) is not in the tarball, and a
 * leftover — a `dist/` file of a source that no longer exists, left by an older build.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A tarball unpacked: its folder and every file in it, as package-relative POSIX paths. */
export interface UnpackedTarball {
  /** The folder holding the package's files (the tarball's `package/`). */
  readonly dir: string;
  /** Every file, e.g. `dist/index.js`, sorted. */
  readonly files: readonly string[];
}

/** Unpacks `tarball` (npm's layout: everything under `package/`) into `destination` with `tar`. */
export async function unpackTarball(tarball: string, destination: string): Promise<UnpackedTarball> {
  mkdirSync(destination, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', destination], { maxBuffer: 64 * 1024 * 1024 });
  const dir = join(destination, 'package');
  return { dir, files: listFiles(dir).sort() };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(join(dir, entry.name), path) : [path];
  });
}

/** The TypeScript source a `dist/` file is built from: `dist/a/b.js`, `.d.ts`, `.js.map`, `.d.ts.map` → `src/a/b.ts`. */
export function sourceOf(distFile: string): string | undefined {
  const match = /^dist\/(.+?)\.(js|mjs|cjs|d\.ts|d\.mts|d\.cts)(\.map)?$/.exec(distFile);
  if (match === null) return undefined;
  const extension = { js: 'ts', 'd.ts': 'ts', mjs: 'mts', 'd.mts': 'mts', cjs: 'cts', 'd.cts': 'cts' }[match[2]!]!;
  return `src/${match[1]}.${extension}`;
}

/**
 * Every problem with the build output of one unpacked tarball, as readable lines ([] when none):
 * - a `.map` whose `sources` entry (resolved against the map's folder and `sourceRoot`) is not in the tarball;
 * - a `.js` / `.d.ts` whose `sourceMappingURL` names a map that is not in the tarball;
 * - when the tarball ships `src/`: a compiled `dist/` file whose `src/` source is not in the tarball (a
 *   leftover); other files copied into `dist/` (assets) are not compiled output and are not checked.
 */
export function buildOutputProblems(tarball: UnpackedTarball): string[] {
  const shipped = new Set(tarball.files);
  const problems: string[] = [];
  for (const file of tarball.files) {
    if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(join(tarball.dir, file), 'utf8')) as { sources?: unknown; sourceRoot?: unknown };
      const sources = Array.isArray(map.sources) ? (map.sources as unknown[]) : [];
      if (sources.length === 0) problems.push(`${file}: no sources`);
      const sourceRoot = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
      for (const source of sources) {
        const resolved = typeof source === 'string' ? posix.normalize(posix.join(posix.dirname(file), sourceRoot, source)) : String(source);
        if (!shipped.has(resolved)) problems.push(`${file}: source ${String(source)} (${resolved}) is not in the tarball`);
      }
    } else if (/\.(m|c)?js$|\.d\.(m|c)?ts$/.test(file)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(tarball.dir, file), 'utf8'))?.[1];
      if (url !== undefined && !url.startsWith('data:')) {
        const resolved = posix.normalize(posix.join(posix.dirname(file), url));
        if (!shipped.has(resolved)) problems.push(`${file}: sourceMappingURL ${url} (${resolved}) is not in the tarball`);
      }
    }
  }
  if (tarball.files.some((file) => file.startsWith('src/'))) {
    for (const file of tarball.files) {
      const source = sourceOf(file);
      if (file.startsWith('dist/') && source !== undefined && !shipped.has(source)) {
        problems.push(`${file}: leftover of an older build (its source ${source} is not in the tarball)`);
      }
    }
  }
  return problems;
}
