/**
 * Issue 21 point 12: no published package's dist/ holds output of a source that no longer exists
 * (a leftover of an older build, which `npm pack` would ship with source maps into a src/ it lacks).
 * Each build starts from an empty dist/ (scripts/clean-dist.mjs); this catches a dist/ that did
 * not, e.g. restored from turbo's cache over an older one. Needs `pnpm build`, no packing.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './source-files.ts';

const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean } }))
  .filter(({ manifest }) => manifest.private !== true);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** `dist/a/b.js` (or `.d.ts`, or their maps) → `src/a/b.ts`; undefined for a file tsc does not emit. */
function sourceOf(distRelative: string): string | undefined {
  const match = /^(.+?)\.(js|mjs|cjs|d\.ts|d\.mts|d\.cts)(\.map)?$/.exec(distRelative.split('\\').join('/'));
  if (match === null) return undefined;
  const extension = { js: 'ts', 'd.ts': 'ts', mjs: 'mts', 'd.mts': 'mts', cjs: 'cts', 'd.cts': 'cts' }[match[2]!]!;
  return `src/${match[1]}.${extension}`;
}

const REBUILD = 'leftovers of an older build: run `pnpm turbo run build --force` (each build empties dist/ first)';

describe('dist/ holds only output of existing sources', () => {
  it('finds the published packages', () => {
    expect(packages.length).toBeGreaterThanOrEqual(12);
  });

  for (const { dir, manifest } of packages) {
    it(`${manifest.name}: every dist file has its src file, every source map's sources exist`, () => {
      const dist = join(dir, 'dist');
      expect(existsSync(dist), `${manifest.name} is not built: run pnpm build`).toBe(true);
      const stale: string[] = [];
      for (const file of files(dist)) {
        const source = sourceOf(relative(dist, file));
        if (source !== undefined && !existsSync(join(dir, source))) stale.push(relative(root, file));
        if (file.endsWith('.map')) {
          const map = JSON.parse(readFileSync(file, 'utf8')) as { sources?: string[]; sourceRoot?: string };
          for (const entry of map.sources ?? []) {
            const target = resolve(dirname(file), map.sourceRoot ?? '', entry);
            if (!existsSync(target) || relative(dir, target).startsWith('..')) stale.push(`${relative(root, file)} → ${entry}`);
          }
        }
      }
      expect(stale, REBUILD).toEqual([]);
    });
  }
});
