#!/usr/bin/env node
// Empties a package's build output before `tsc` writes it again, so files of deleted or moved
// sources (and their source maps) never outlive the build and end up in a published tarball.
// Cross-platform replacement for `rm -rf dist`; run from the package folder (pnpm/turbo do).
// Usage: node ../../scripts/clean-dist.mjs [dir=dist]
import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const target = resolve(process.argv[2] ?? 'dist');
const inside = relative(process.cwd(), target);
if (inside === '' || inside.startsWith('..') || resolve(inside) !== target) {
  console.error(`clean-dist: refusing to remove ${target}: not inside ${process.cwd()}`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
