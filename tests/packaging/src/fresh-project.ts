/**
 * A fresh npm project outside the workspace, with the packed tarballs and the frameworks' real
 * packages from the npm registry installed the way a user installs them.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PackedPackage } from './pack.ts';

const run = promisify(execFile);

/**
 * The registry packages the snippets import, next to the tarballs: the adapters' peers (`ai@^7`,
 * `zod@^4`, `@langchain/core@^1`, the `@llamaindex/core` range `@rlms/llamaindex` declares),
 * `openai@^7`, and each framework's OpenAI provider the README snippets use. The LlamaIndex pair
 * is pinned together because `@llamaindex/openai` pins its `@llamaindex/core`.
 */
export const REGISTRY_PACKAGES: readonly string[] = [
  'ai@^7',
  '@ai-sdk/openai@^4',
  'zod@^4',
  'openai@^7',
  '@langchain/core@^1',
  '@langchain/openai@^1',
  '@llamaindex/core@0.6.22',
  '@llamaindex/openai@0.4.22',
];

/**
 * Writes a `package.json` in `dir` and runs `npm install` with every tarball and
 * {@link REGISTRY_PACKAGES}. Throws with npm's output when the install fails (for example without
 * network access to the npm registry).
 */
export async function installFreshProject(dir: string, tarballs: readonly PackedPackage[]): Promise<void> {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'rlms-packaging-probe', private: true, type: 'module' }, null, 2)}\n`);
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((pkg) => pkg.tarball), ...REGISTRY_PACKAGES];
  try {
    await run('npm', args, { cwd: dir, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `npm install in the fresh project ${dir} failed. The packaging test needs the npm registry ` +
        `(https://registry.npmjs.org) for ${REGISTRY_PACKAGES.join(', ')}.\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`,
    );
  }
}

/** npm settings a user's shell may carry (a mirror, a proxy, a cache): kept. */
const KEPT_NPM_CONFIG = /^npm_config_(registry|cache|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i;

/**
 * The environment for child processes of the packaging test: the caller's, without what pnpm,
 * vitest or the workspace set (`npm_package_*`, pnpm's `npm_config_*`, `NODE_OPTIONS`, vitest's
 * variables) and without real model credentials, so npm and Node behave as in a user's shell and
 * nothing can reach a real API.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) && !KEPT_NPM_CONFIG.test(name)) continue;
    if (/^(NODE_OPTIONS|VITEST.*|TEST|PNPM_.*|OPENAI_.*|ANTHROPIC_.*)$/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}
