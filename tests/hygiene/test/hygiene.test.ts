import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const attw = join(here, '..', 'node_modules', '.bin', 'attw');

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  files?: string[];
  engines?: { node?: string };
}

const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

const changesets = readdirSync(join(root, '.changeset'))
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .map((name) => readFileSync(join(root, '.changeset', name), 'utf8'))
  .join('\n');

/** Frameworks an adapter adapts: always peer dependencies, never plain ones (one copy in the user's tree). */
const FRAMEWORKS = ['ai', '@langchain/core', '@llamaindex/core'];

describe('package hygiene', () => {
  it('finds the published packages', () => {
    expect(packages.length).toBeGreaterThanOrEqual(12);
  });

  for (const { dir, manifest } of packages) {
    describe(manifest.name, () => {
      it('passes publint with no errors or warnings', async () => {
        const { messages } = await publint({ pkgDir: dir, level: 'warning', strict: true });
        expect(messages.map((message) => `${message.type}: ${message.code} ${JSON.stringify(message.args)}`)).toEqual([]);
      });

      it('has types that resolve for ESM consumers (are-the-types-wrong)', async () => {
        const entries = Object.keys(manifest.exports ?? {}).filter((entry) => !/\.(py|json)$/.test(entry));
        const excluded = Object.keys(manifest.exports ?? {}).filter((entry) => /\.(py|json)$/.test(entry));
        const args = ['--pack', dir, '--profile', 'esm-only', '--format', 'json', ...(excluded.length > 0 ? ['--exclude-entrypoints', ...excluded] : [])];
        const { stdout } = await run(attw, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
        const report = JSON.parse(stdout) as { analysis?: { problems?: Array<{ kind: string; entrypoint?: string; resolutionKind?: string }> } };
        const problems = (report.analysis?.problems ?? []).filter((problem) => problem.resolutionKind !== 'node10' && problem.resolutionKind !== 'node16-cjs' && problem.kind !== 'CJSResolvesToESM');
        expect(problems).toEqual([]);
        expect(entries.length).toBeGreaterThan(0);
      }, 120_000);

      it('is ESM-only with an exports map, engines and published files', () => {
        expect(manifest.exports).toBeDefined();
        expect(manifest.engines?.node).toBe('>=22');
        expect(manifest.files).toContain('dist');
      });

      it('keeps adapted frameworks as peer dependencies and depends on core through the workspace', () => {
        for (const framework of FRAMEWORKS) expect(manifest.dependencies?.[framework], framework).toBeUndefined();
        if (manifest.name !== '@rlms/core') {
          const core = manifest.dependencies?.['@rlms/core'] ?? manifest.peerDependencies?.['@rlms/core'];
          expect(core).toBe('workspace:^');
        }
      });

      it('has a changeset', () => {
        expect(changesets).toContain(`"${manifest.name}":`);
      });

      it('has a README', () => {
        expect(existsSync(join(dir, 'README.md'))).toBe(true);
      });
    });
  }

  it('core depends on none of the other packages', () => {
    const core = packages.find(({ manifest }) => manifest.name === '@rlms/core')!.manifest;
    const all = { ...core.dependencies, ...core.peerDependencies };
    expect(Object.keys(all).filter((name) => name.startsWith('@rlms/') || name === 'rlms')).toEqual([]);
  });
});
