import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, tsFiles } from './source-files.js';

/**
 * One anatomy for every sandbox package:
 * - `src/index.ts`: re-exports only;
 * - `src/<name>-sandbox-provider.ts`: the `create<Name>Sandbox` factory and `<Name>SandboxProvider`;
 * - `src/<name>-sandbox-settings.ts`: `<Name>SandboxSettings`, defaults, environment fallbacks;
 * - then mechanism files, and optionally `src/testing/` (fakes).
 * And one Python identifier check: `isPythonIdentifier` / `assertPythonIdentifier` in
 * `@rlms/core/sandbox`, never a copy of the regex.
 */

/** `source` without comments (enough for the plain TypeScript of these entry files). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** What is left of `source` once every `export … from '…'` statement is taken out. */
function besidesReExports(source: string): string {
  return withoutComments(source)
    .replace(/export\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"][^'"]+['"]\s*;?/g, '')
    .trim();
}

const sandboxes = readdirSync(join(root, 'packages'))
  .filter((name) => name.startsWith('sandbox-'))
  .map((dir) => {
    const name = dir.slice('sandbox-'.length);
    const src = join(root, 'packages', dir, 'src');
    return { dir, name, src, provider: join(src, `${name}-sandbox-provider.ts`), settings: join(src, `${name}-sandbox-settings.ts`) };
  });

/** The identifier regex written out: `^[A-Za-z_][A-Za-z0-9_]*$` and its spellings (`[a-zA-Z_]`, `\w*`). */
const IDENTIFIER_REGEX = /\^\[(?:A-Za-z_|a-zA-Z_|_A-Za-z|_a-zA-Z)\](?:\[(?:A-Za-z0-9_|a-zA-Z0-9_|A-Za-z_0-9|_A-Za-z0-9|0-9A-Za-z_)\]|\\w)\*\$/;
/** The one file allowed to hold it. */
const IDENTIFIER_HELPER = 'packages/core/src/protocol/python-identifier.ts';

describe('sandbox package anatomy', () => {
  it('finds the sandbox packages', () => {
    expect(sandboxes.map(({ name }) => name)).toEqual(expect.arrayContaining(['local', 'docker', 'pyodide', 'e2b', 'modal', 'daytona']));
  });

  it.each(sandboxes)('$dir has src/index.ts, src/$name-sandbox-provider.ts and src/$name-sandbox-settings.ts', ({ src, provider, settings }) => {
    const missing = [join(src, 'index.ts'), provider, settings].filter((file) => !existsSync(file)).map((file) => relative(root, file));
    expect(missing).toEqual([]);
  });

  it.each(sandboxes)('$dir: src/index.ts only re-exports', ({ src }) => {
    const entry = join(src, 'index.ts');
    expect(besidesReExports(readFileSync(entry, 'utf8')), `${relative(root, entry)} may hold only export … from statements`).toBe('');
  });

  it.each(sandboxes)('$dir: the factory and the provider class live in the provider file, and nowhere else', ({ name, src, provider }) => {
    const source = readFileSync(provider, 'utf8');
    const factory = /export\s+function\s+create(\w+)Sandbox\s*\(/.exec(source);
    expect(factory, `${relative(root, provider)} must define export function create<Name>Sandbox(…)`).not.toBeNull();
    const title = factory![1]!;
    expect(title.toLowerCase()).toBe(name);
    expect(source).toMatch(new RegExp(`export\\s+class\\s+${title}SandboxProvider\\b`));
    const elsewhere = tsFiles(src)
      .filter((file) => file !== provider && !relative(src, file).startsWith('testing'))
      .filter((file) => new RegExp(`function\\s+create${title}Sandbox\\b|class\\s+${title}SandboxProvider\\b`).test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(elsewhere).toEqual([]);
  });

  it.each(sandboxes)('$dir: the settings type lives in the settings file', ({ name, settings }) => {
    const source = readFileSync(settings, 'utf8');
    const declared = /export\s+interface\s+(\w+)SandboxSettings\b/.exec(source);
    expect(declared, `${relative(root, settings)} must declare export interface <Name>SandboxSettings`).not.toBeNull();
    expect(declared![1]!.toLowerCase()).toBe(name);
  });
});

describe('one Python identifier check', () => {
  it('the helper exists and is the only place the identifier regex is written', () => {
    expect(IDENTIFIER_REGEX.test(readFileSync(join(root, IDENTIFIER_HELPER), 'utf8'))).toBe(true);
    const scanned = [...sandboxes.map(({ src }) => src), join(root, 'packages', 'core', 'src')].flatMap(tsFiles);
    expect(scanned.length).toBeGreaterThan(50);
    const copies = scanned
      .map((file) => relative(root, file))
      .filter((file) => file !== IDENTIFIER_HELPER && IDENTIFIER_REGEX.test(readFileSync(join(root, file), 'utf8')));
    expect(copies, 'use isPythonIdentifier / assertPythonIdentifier from @rlms/core/sandbox').toEqual([]);
  });
});
