import { existsSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

function markdownFiles(): string[] {
  const files = [join(root, 'README.md')];
  const walk = (dir: string, depth: number) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth > 0) walk(path, depth - 1);
      else if (entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'CHANGELOG.md') files.push(path);
    }
  };
  walk(join(root, 'docs'), 2);
  walk(join(root, 'packages'), 1);
  walk(join(root, 'examples'), 1);
  walk(join(root, 'bench'), 0);
  return files;
}

/** GitHub-style anchor of a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_~]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1]!)));
}

describe('documentation links', () => {
  const files = markdownFiles();
  it('finds the docs', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  for (const file of files) {
    it(`has no dead relative links: ${relative(root, file)}`, () => {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      const dead: string[] = [];
      for (const match of text.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1]!;
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [pathPart, anchor] = target.split('#') as [string, string | undefined];
        const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
        if (!existsSync(resolved)) dead.push(`${target} (no such file)`);
        else if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
          dead.push(`${target} (no such heading)`);
        }
      }
      expect(dead).toEqual([]);
    });
  }
});

describe('documentation snippets', () => {
  it('every ```ts snippet in docs/ and README.md type-checks against the real packages', () => {
    const sources = [join(root, 'README.md'), ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join(root, 'docs', name))];
    const outDir = join(here, '..', '.snippets');
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const files: string[] = [];
    for (const source of sources) {
      const text = readFileSync(source, 'utf8');
      let index = 0;
      for (const match of text.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
        const name = join(outDir, `${relative(root, source).replace(/[/.]/g, '_')}_${++index}.ts`);
        // Each snippet is its own module; `export {}` makes top-level await legal in snippets without imports.
        writeFileSync(name, `${match[1]}\nexport {};\n`);
        files.push(name);
      }
    }
    expect(files.length).toBeGreaterThan(10);
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || files.includes(resolve(diagnostic.file.fileName)))
      .map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
        if (diagnostic.file === undefined || diagnostic.start === undefined) return message;
        const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        return `${relative(outDir, diagnostic.file.fileName)}:${line + 1}: ${message}`;
      });
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
