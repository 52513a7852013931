/**
 * Packs every published package of the workspace with `pnpm pack`, which rewrites `workspace:`
 * ranges to the real versions, as `pnpm publish` does.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One published package of the workspace. */
export interface WorkspacePackage {
  /** The npm name, e.g. `@rlms/core`. */
  readonly name: string;
  /** Its folder. */
  readonly dir: string;
}

/** A packed package. */
export interface PackedPackage extends WorkspacePackage {
  /** Absolute path of the `.tgz`. */
  readonly tarball: string;
}

/** Every non-private package under `packages/`. */
export function publishedPackages(root: string): WorkspacePackage[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
      return { name: manifest.name, dir, private: manifest.private === true };
    })
    .filter((entry) => !entry.private)
    .map(({ name, dir }) => ({ name, dir }));
}

/**
 * Packs `packages` into `destination`. Fails with the package's name when a package has not been
 * built (its tarball would ship without `dist`).
 */
export async function packAll(packages: readonly WorkspacePackage[], destination: string): Promise<PackedPackage[]> {
  const unbuilt = packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist')));
  if (unbuilt.length > 0) {
    throw new Error(
      `Not built: ${unbuilt.map((pkg) => pkg.name).join(', ')}. Run \`pnpm turbo run build\` (scripts/test.sh does) before the packaging test.`,
    );
  }
  const packed: PackedPackage[] = [];
  for (const pkg of packages) {
    const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: pkg.dir, maxBuffer: 64 * 1024 * 1024 });
    const tarball = tarballOf(stdout, pkg.name);
    packed.push({ ...pkg, tarball });
  }
  return packed;
}

function tarballOf(stdout: string, name: string): string {
  const start = stdout.indexOf('{');
  if (start === -1) throw new Error(`pnpm pack printed no JSON for ${name}: ${stdout.slice(0, 500)}`);
  const report = JSON.parse(stdout.slice(start)) as { filename?: string };
  if (typeof report.filename !== 'string') throw new Error(`pnpm pack reported no file name for ${name}: ${stdout.slice(0, 500)}`);
  return report.filename;
}
