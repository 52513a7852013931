import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContextError } from '@rlms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCsv, loadDirectory, loadFiles, loadJsonl, parseCsv, parseJsonl, type SkipReason } from '../src/index.js';
import type { LoadDirectoryStats } from '../src/loaders/load-directory.js';
import { SubstringIndex } from '../src/loaders/substring-index.js';
import { makeTree, removeTree } from './cli-helpers.js';

let trees: string[] = [];
async function tree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await makeTree(files);
  trees.push(root);
  return root;
}

afterEach(async () => {
  await Promise.all(trees.map(removeTree));
  trees = [];
});

async function contextError(promise: Promise<unknown>): Promise<ContextError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ContextError.isInstance(error), String(error)).toBe(true);
  return error as ContextError;
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('keys that name Object.prototype members', () => {
  it('are kept as documents by loadDirectory and loadFiles', async () => {
    const root = await tree(Object.fromEntries([...PROTOTYPE_NAMES.map((name) => [name, `text of ${name}`]), ['sub/__proto__', 'nested']]));
    const documents = await loadDirectory(root);
    expect(Object.keys(documents).sort()).toEqual([...PROTOTYPE_NAMES, 'sub/__proto__'].sort());
    expect(Object.getOwnPropertyDescriptor(documents, '__proto__')?.value).toBe('text of __proto__');
    expect(JSON.parse(JSON.stringify(documents))).toHaveProperty(['__proto__'], 'text of __proto__');
    const files = await loadFiles(['__proto__', 'constructor'], { cwd: root });
    expect(Object.keys(files)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(files, '__proto__')?.value).toBe('text of __proto__');
  });

  it('are kept as CSV columns and JSONL keys', async () => {
    const records = parseCsv('__proto__,constructor,toString\n1,2,3\n');
    expect(Object.keys(records[0]!)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(records[0], '__proto__')?.value).toBe('1');
    expect(JSON.stringify(records)).toBe('[{"__proto__":"1","constructor":"2","toString":"3"}]');
    const values = parseJsonl('{"__proto__":{"x":1},"constructor":"c"}\n') as Record<string, unknown>[];
    expect(Object.keys(values[0]!)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(values[0])).toBe('{"__proto__":{"x":1},"constructor":"c"}');
    const root = await tree({ 'data.csv': '__proto__\nvalue\n', 'data.jsonl': '{"__proto__":1}\n' });
    expect(JSON.stringify(await loadCsv(join(root, 'data.csv')))).toBe('[{"__proto__":"value"}]');
    expect(JSON.stringify(await loadJsonl(join(root, 'data.jsonl')))).toBe('[{"__proto__":1}]');
  });
});

describe('special files', () => {
  it('refuses a FIFO named as a file, without opening it (no hang), with a clear error', async () => {
    const root = await tree({ 'a.md': 'A' });
    mkfifo(join(root, 'pipe'));
    const error = await contextError(loadFiles('pipe', { cwd: root }));
    expect(error.code).toBe('context-not-regular');
    expect(error.message).toMatch(/^pipe is a named pipe \(FIFO\), not a regular file/);
    for (const load of [loadCsv, loadJsonl]) {
      const dataError = await contextError(load(join(root, 'pipe')));
      expect(dataError.code).toBe('context-not-regular');
    }
  });

  it('reports FIFOs met in a folder or by a glob as skipped, and never reads a FIFO named .gitignore', async () => {
    const root = await tree({ 'a.md': 'A', 'sub/b.md': 'B' });
    mkfifo(join(root, 'pipe.md'));
    mkfifo(join(root, 'sub', '.gitignore'));
    const skipped: [string, SkipReason][] = [];
    const documents = await loadDirectory(root, { onSkip: (path, reason) => skipped.push([path, reason]) });
    expect(Object.keys(documents)).toEqual(['a.md', 'sub/b.md']);
    expect(skipped).toContainEqual(['pipe.md', 'special']);
    const globSkips: [string, SkipReason][] = [];
    const globbed = await loadFiles('*.md', { cwd: root, onSkip: (path, reason) => globSkips.push([path, reason]) });
    expect(Object.keys(globbed)).toEqual(['a.md']);
    expect(globSkips).toEqual([['pipe.md', 'special']]);
  });
});

describe('every skipped file is reported', () => {
  it('reports ignored files and folders with the deciding rule, VCS folders and files outside include', async () => {
    const root = await tree({
      '.gitignore': 'build/\n*.log\n',
      'src/a.ts': 'a',
      'src/b.md': 'b',
      'build/out.js': 'out',
      'debug.log': 'log',
      'node_modules/pkg/index.js': 'dep',
      '.env': 'KEY=1',
    });
    const skipped: string[] = [];
    await loadDirectory(root, { include: ['*.ts'], onSkip: (path, reason, detail) => skipped.push(`${path} ${reason} ${detail}`) });
    expect(skipped.sort()).toEqual([
      '.env ignored default excludes (likely secrets): .env',
      '.gitignore not-included does not match the include patterns',
      'build/ ignored .gitignore: build/',
      'debug.log ignored .gitignore: *.log',
      'node_modules/ ignored version control or dependency folder, never loaded',
      'src/b.md not-included does not match the include patterns',
    ]);
  });
});

describe('.gitignore rules at scale', () => {
  it('applies a 200,000-line .gitignore to 200 files with work proportional to files + rules, not their product', async () => {
    const lines: string[] = [];
    for (let index = 0; index < 100_000; index++) lines.push(`ignored-file-${index}.txt`);
    for (let index = 0; index < 100_000; index++) lines.push(`*pattern${index}*.tmp`);
    const files: Record<string, string> = { '.gitignore': `${lines.join('\n')}\n` };
    for (let index = 0; index < 200; index++) files[`file-${index}.md`] = `document ${index}\n`;
    files['ignored-file-7.txt'] = 'ignored (exact rule)';
    files['x-pattern42-y.tmp'] = 'ignored (wildcard rule)';
    files['x-pattern-y.tmp'] = 'kept: no rule matches';
    const root = await tree(files);
    const heapBefore = process.memoryUsage().heapUsed;
    let stats: LoadDirectoryStats | undefined;
    const skipped: string[] = [];
    const documents = await loadDirectory(root, { onStats: (value) => (stats = value), onSkip: (path, reason, detail) => skipped.push(`${path} ${reason} ${detail}`) });
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(Object.keys(documents)).toHaveLength(201); // 200 documents and x-pattern-y.tmp
    expect(documents['x-pattern-y.tmp']).toBe('kept: no rule matches');
    expect(skipped.sort()).toEqual([
      expect.stringMatching(/^\.gitignore too-large \d+ bytes > 1048576 \(maxFileBytes\)$/),
      'ignored-file-7.txt ignored .gitignore: ignored-file-7.txt',
      'x-pattern42-y.tmp ignored .gitignore: *pattern42*.tmp',
    ]);
    // 200,000 rules from the file plus the 10 default secret excludes.
    expect(stats).toMatchObject({ files: 201, skipped: 3, ignoreRules: 200_000 + 10 });
    // The old matcher ran every rule on every path: 200,000 × 203 = 40 million tests and 66 s.
    // Here a wildcard rule runs only when its text ("pattern42") is in the name, and is compiled at most once.
    expect(stats!.patternTests).toBeLessThan(50);
    expect(stats!.patternsCompiled).toBeLessThan(50);
    expect(stats!.patternChecks).toBeLessThan(1_000);
    expect(heapGrowth).toBeLessThan(400 * 1024 * 1024);
  }, 120_000);

  it('ends a load whose wildcard-only rules would cost too much, with a typed error instead of running for minutes', async () => {
    const lines: string[] = [];
    for (let index = 0; index < 200_000; index++) lines.push(`*[${index}]?`);
    const files: Record<string, string> = { '.gitignore': lines.join('\n') };
    for (let index = 0; index < 50; index++) files[`file-${index}.md`] = 'x';
    const root = await tree(files);
    const error = await contextError(loadDirectory(root));
    expect(error.code).toBe('gitignore-too-complex');
    expect(error.message).toMatch(/too costly to apply .* load without them \(gitignore: false; rlms: --no-gitignore\)/);
    expect(Object.keys(await loadDirectory(root, { gitignore: false, maxFileBytes: 10_000_000 }))).toHaveLength(51);
  }, 120_000);

  it('rejects a pattern line longer than any path rather than dropping it', async () => {
    const root = await tree({ '.gitignore': `secret.txt\n${'a'.repeat(5_000)}\n`, 'secret.txt': 'x', 'a.md': 'a' });
    const error = await contextError(loadDirectory(root));
    expect(error.code).toBe('gitignore-invalid');
    expect(error.message).toBe(`.gitignore, line 2: a pattern of 5000 characters, longer than any path (limit 4096): remove or shorten it.`);
  });

  it('follows gitignore syntax: anchoring, **, classes, negations, escapes and trailing spaces', async () => {
    const root = await tree({
      '.gitignore': ['/top.txt', 'a/**/c.txt', '**/deep.txt', 'doc/*.md', '[!ab].md', '\\#hash', 'trail.txt   ', 'keep/**', '!keep/this.txt', 'x?y.txt', '[[:digit:]]*.js', ''].join('\n'),
      'top.txt': 'ignored',
      'sub/top.txt': 'kept: /top.txt is anchored',
      'a/c.txt': 'ignored',
      'a/x/y/c.txt': 'ignored',
      'q/deep.txt': 'ignored',
      'doc/a.md': 'ignored',
      'doc/x/a.md': 'kept: * does not cross /',
      'c.md': 'ignored',
      'a.md': 'kept: class excludes a',
      '#hash': 'ignored',
      'trail.txt': 'ignored',
      'keep/this.txt': 'kept: re-included',
      'keep/that.txt': 'ignored',
      'xzy.txt': 'ignored',
      '1.js': 'ignored',
      'a1.js': 'kept',
    });
    expect(Object.keys(await loadDirectory(root)).sort()).toEqual(['.gitignore', 'a.md', 'a1.js', 'doc/x/a.md', 'keep/this.txt', 'sub/top.txt']);
  });
});

describe('SubstringIndex', () => {
  it('finds exactly the added strings occurring in a text (checked against String.includes)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = (max: number) => Array.from({ length: 1 + random(max) }, () => 'abc'[random(3)]).join('');
    for (let trial = 0; trial < 300; trial++) {
      const words = Array.from({ length: 1 + random(12) }, () => word(5));
      const index = new SubstringIndex();
      words.forEach((text, id) => index.add(text, id));
      const text = word(20);
      const found = new Set<number>();
      index.search(text, (id) => found.add(id));
      expect(words.map((candidate, id) => found.has(id))).toEqual(words.map((candidate) => text.includes(candidate)));
    }
  });
});

describe('ignored folders inherited from the repository', () => {
  it('ignores a walk root that an ancestor .gitignore ignores, naming the rule', async () => {
    const root = await tree({ '.git/HEAD': 'ref', '.gitignore': 'generated/\n', 'generated/a.ts': 'a' });
    await mkdir(join(root, 'generated', 'more'));
    await writeFile(join(root, 'generated', 'more', 'b.ts'), 'b');
    const skipped: string[] = [];
    const error = await contextError(loadDirectory(join(root, 'generated'), { onSkip: (path, reason, detail) => skipped.push(`${path} ${reason} ${detail}`) }));
    expect(error.code).toBe('context-empty');
    expect(skipped).toEqual(['a.ts ignored ../.gitignore: generated/', 'more/ ignored ../.gitignore: generated/']);
  });
});
