/**
 * The build-output check of the packaging test (`src/tarball-contents.ts`) on small hand-made
 * tarballs: it finds what issue 21 point 12 found (maps pointing at sources that are not shipped,
 * leftovers of an older build) and passes a clean one. Needs no registry.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOutputProblems, sourceOf, unpackTarball } from '../src/tarball-contents.ts';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'rlms-tarball-contents-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let count = 0;
/** Packs `files` (package-relative path → text) into a `.tgz` with npm's `package/` layout, and unpacks it. */
async function tarballOf(files: Record<string, string>) {
  const dir = join(workDir, `case-${++count}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'package', path)), { recursive: true });
    writeFileSync(join(dir, 'package', path), text);
  }
  const tgz = join(dir, 'pkg.tgz');
  await run('tar', ['-czf', tgz, '-C', dir, 'package']);
  return unpackTarball(tgz, join(dir, 'unpacked'));
}

/** A module `name` as tsc builds it (js, d.ts and both maps), with or without its source. */
function built(name: string, withSource = true): Record<string, string> {
  const depth = '../'.repeat(name.split('/').length);
  const map = (file: string) => JSON.stringify({ version: 3, file, sourceRoot: '', sources: [`${depth}src/${name}.ts`], mappings: '' });
  const base = name.split('/').at(-1)!;
  return {
    [`dist/${name}.js`]: `export const x = 1;\n//# sourceMappingURL=${base}.js.map`,
    [`dist/${name}.js.map`]: map(`${base}.js`),
    [`dist/${name}.d.ts`]: `export declare const x = 1;\n//# sourceMappingURL=${base}.d.ts.map`,
    [`dist/${name}.d.ts.map`]: map(`${base}.d.ts`),
    ...(withSource ? { [`src/${name}.ts`]: 'export const x = 1;\n' } : {}),
  };
}

describe('build output check of a tarball', () => {
  it('maps dist files to their sources', () => {
    expect(sourceOf('dist/engine/run/run.js')).toBe('src/engine/run/run.ts');
    expect(sourceOf('dist/index.d.ts.map')).toBe('src/index.ts');
    expect(sourceOf('dist/worker.mjs')).toBe('src/worker.mts');
    expect(sourceOf('dist/runtime.py')).toBeUndefined();
    expect(sourceOf('src/index.ts')).toBeUndefined();
  });

  it('passes a clean tarball (maps into shipped src/, assets in dist/ left alone)', async () => {
    const tarball = await tarballOf({ 'package.json': '{}', ...built('index'), ...built('engine/run/run'), 'dist/runtime.py': 'pass\n' });
    expect(buildOutputProblems(tarball)).toEqual([]);
  });

  it('finds a leftover of an older build whose maps point at a deleted source', async () => {
    const tarball = await tarballOf({ 'package.json': '{}', ...built('index'), ...built('engine/budget', false) });
    const problems = buildOutputProblems(tarball);
    expect(problems).toContain('dist/engine/budget.js: leftover of an older build (its source src/engine/budget.ts is not in the tarball)');
    expect(problems).toContain('dist/engine/budget.js.map: source ../../src/engine/budget.ts (src/engine/budget.ts) is not in the tarball');
    // Four leftovers (js, d.ts and their maps), and the two maps' sources.
    expect(problems.filter((line) => line.includes('budget'))).toHaveLength(6);
    expect(problems.filter((line) => !line.includes('budget'))).toEqual([]);
  });

  it('finds maps pointing at sources when src/ is not shipped, and a sourceMappingURL to a missing map', async () => {
    const { 'dist/index.js.map': _dropped, ...rest } = built('index', false);
    const problems = buildOutputProblems(await tarballOf({ 'package.json': '{}', ...rest }));
    expect(problems).toEqual([
      'dist/index.d.ts.map: source ../src/index.ts (src/index.ts) is not in the tarball',
      'dist/index.js: sourceMappingURL index.js.map (dist/index.js.map) is not in the tarball',
    ]);
  });
});
