import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ContextError } from '@rlms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCsv, loadDirectory, loadFiles, loadJsonl, parseCsv, parseJsonl, type SkipReason } from '../src/index.js';
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

async function expectContextError(promise: Promise<unknown>, code: string, message: RegExp | string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ContextError.isInstance(error), String(error)).toBe(true);
  expect((error as ContextError).code).toBe(code);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe('loadDirectory', () => {
  it('honours root and nested .gitignore files, negations included, and skips VCS and dependency folders', async () => {
    const root = await tree({
      '.gitignore': '*.log\nbuild/\n!keep.log\n',
      'app.ts': 'export const app = 1;\n',
      'debug.log': 'noise',
      'keep.log': 'kept on purpose',
      'build/out.js': 'generated',
      'src/main.ts': 'main',
      'src/.gitignore': 'generated/\n*.tmp\n!important.tmp\n',
      'src/generated/types.ts': 'generated types',
      'src/scratch.tmp': 'scratch',
      'src/important.tmp': 'important',
      'src/deep/x.log': 'ignored from the root rules',
      'node_modules/pkg/index.js': 'dependency',
      'src/node_modules/pkg/index.js': 'nested dependency',
      '.git/config': '[core]',
    });
    const documents = await loadDirectory(root);
    expect(Object.keys(documents)).toEqual(['.gitignore', 'app.ts', 'keep.log', 'src/.gitignore', 'src/important.tmp', 'src/main.ts']);
    expect(documents['keep.log']).toBe('kept on purpose');
  });

  it('inherits the enclosing repository ignore rules and .git/info/exclude when loading a subfolder', async () => {
    const root = await tree({
      '.git/info/exclude': 'secret-notes.md\n',
      '.gitignore': '*.cache\npackages/app/dist/\n',
      'packages/app/index.ts': 'index',
      'packages/app/data.cache': 'cache',
      'packages/app/dist/bundle.js': 'bundle',
      'packages/app/secret-notes.md': 'private',
    });
    expect(Object.keys(await loadDirectory(join(root, 'packages/app')))).toEqual(['index.ts']);
    expect(Object.keys(await loadDirectory(join(root, 'packages/app'), { gitignore: false })).sort()).toEqual([
      'data.cache',
      'dist/bundle.js',
      'index.ts',
      'secret-notes.md',
    ]);
  });

  it('skips binaries, invalid UTF-8, large files, secrets and symlinks, and keeps text exact', async () => {
    const root = await tree({
      'image.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
      'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9]), // "café" in Latin-1: invalid UTF-8
      'big.txt': 'x'.repeat(2_000),
      'windows.txt': 'line 1\r\nline 2\r\n',
      'bom.md': '\uFEFF# Title\n',
      'unicode.md': 'naïve café 数据\n',
      '.env': 'OPENAI_API_KEY=sk-secret',
      '.env.local': 'TOKEN=secret',
      'server.pem': '-----BEGIN PRIVATE KEY-----',
    });
    await symlink(join(root, 'unicode.md'), join(root, 'link.md'));
    const skipped: [string, SkipReason][] = [];
    const documents = await loadDirectory(root, { maxFileBytes: 1_000, onSkip: (path, reason) => skipped.push([path, reason]) });
    expect(documents).toEqual({ 'bom.md': '# Title\n', 'unicode.md': 'naïve café 数据\n', 'windows.txt': 'line 1\r\nline 2\r\n' });
    expect(skipped.sort()).toEqual([
      ['.env', 'ignored'],
      ['.env.local', 'ignored'],
      ['big.txt', 'too-large'],
      ['image.png', 'binary'],
      ['latin1.txt', 'binary'],
      ['link.md', 'symlink'],
      ['server.pem', 'ignored'],
    ]);
    const withSecrets = await loadDirectory(root, { maxFileBytes: 1_000, defaultExcludes: false });
    expect(Object.keys(withSecrets)).toContain('.env');
  });

  it('filters with include and exclude patterns and keys files by relative path', async () => {
    const root = await tree({ 'src/a.ts': 'a', 'src/b.test.ts': 'b', 'src/lib/c.ts': 'c', 'docs/d.md': 'd' });
    expect(Object.keys(await loadDirectory(root, { include: '*.ts', exclude: ['*.test.ts'] }))).toEqual(['src/a.ts', 'src/lib/c.ts']);
    expect(Object.keys(await loadDirectory(root, { include: ['docs/**'] }))).toEqual(['docs/d.md']);
  });

  it('throws ContextError for missing folders, files, and folders with nothing readable', async () => {
    const root = await tree({ 'only.bin': new Uint8Array([0, 1, 2]), '.gitignore': 'ignored.txt\n', 'ignored.txt': 'x' });
    await expectContextError(loadDirectory(join(root, 'missing')), 'context-not-found', `No such folder: ${join(root, 'missing')}.`);
    await expectContextError(loadDirectory(join(root, 'only.bin')), 'context-not-found', /^Not a folder/);
    await expectContextError(loadDirectory(root, { include: '*.bin' }), 'context-empty', `No readable text files in ${root} (skipped: 1 binary, 1 ignored (.gitignore, exclude patterns, .git or node_modules), 1 not matching include).`);
    await mkdir(join(root, 'empty'));
    await expectContextError(loadDirectory(join(root, 'empty')), 'context-empty', `No readable text files in ${join(root, 'empty')} (it is empty).`);
    await expectContextError(loadDirectory(root, { maxTotalBytes: 1, include: ['.gitignore'] }), 'context-too-large', /more than maxTotalBytes \(1 bytes\)/);
  });
});

describe('loadFiles', () => {
  it('loads paths and globs keyed relative to cwd', async () => {
    const root = await tree({ 'docs/a.md': 'A', 'docs/b.md': 'B', 'docs/c.txt': 'C', 'docs/img.png': new Uint8Array([0, 0]) });
    expect(await loadFiles(['docs/*.md', 'docs/c.txt'], { cwd: root })).toEqual({ 'docs/a.md': 'A', 'docs/b.md': 'B', 'docs/c.txt': 'C' });
    await expectContextError(loadFiles('docs/*.rst', { cwd: root }), 'context-not-found', 'No file matches docs/*.rst.');
    await expectContextError(loadFiles('nope.md', { cwd: root }), 'context-not-found', 'No such file: nope.md.');
    await expectContextError(loadFiles('docs', { cwd: root }), 'context-not-found', /is a folder: use loadDirectory/);
    await expectContextError(loadFiles('docs/img.png', { cwd: root }), 'context-empty', 'No readable text files among docs/img.png (binary).');
  });
});

describe('parseCsv / loadCsv', () => {
  it('handles quoted delimiters, doubled quotes, line breaks in fields, CRLF and a BOM', () => {
    const text = '\uFEFFid,comment,amount\r\n1,"Hello, world",3.5\r\n2,"She said ""hi""",4\r\n3,"multi\nline\r\ntext",\r\n\r\n';
    expect(parseCsv(text)).toEqual([
      { id: '1', comment: 'Hello, world', amount: '3.5' },
      { id: '2', comment: 'She said "hi"', amount: '4' },
      { id: '3', comment: 'multi\nline\r\ntext', amount: '' },
    ]);
    expect(parseCsv('a;b\n"x;y";z', { delimiter: ';', header: false })).toEqual([
      ['a', 'b'],
      ['x;y', 'z'],
    ]);
    expect(parseCsv('name,,name\n1,2,3')).toEqual([{ name: '1', column_2: '2', name_2: '3' }]);
    expect(parseCsv('only\n""\nx', {})).toEqual([{ only: '' }, { only: 'x' }]);
  });

  it('reports malformed CSV with line numbers', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"open\nstill open', { source: 'data.csv' })).toThrow('data.csv, line 3: a quoted field is never closed.');
    expect(() => parseCsv('a,b\n1,2\n3,4,5\n')).toThrow(/^CSV input, line 3: 3 fields where the first row has 2/);
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(/^CSV input, line 2: unexpected "y" after a closing quote/);
    expect(parseCsv('a,b\n1,2,3\n4', { ragged: 'keep' })).toEqual([
      { a: '1', b: '2' },
      { a: '4', b: '' },
    ]);
  });

  it('loadCsv reads files, TSV by extension', async () => {
    const root = await tree({ 'data.tsv': 'x\ty\n"1\t2"\t3\n', 'bad.csv': 'a\n"b' });
    expect(await loadCsv(join(root, 'data.tsv'))).toEqual([{ x: '1\t2', y: '3' }]);
    await expectContextError(loadCsv(join(root, 'bad.csv')), 'csv-invalid', `${join(root, 'bad.csv')}, line 2: a quoted field is never closed.`);
    await expectContextError(loadCsv(join(root, 'none.csv')), 'context-not-found', /^Cannot read/);
  });
});

describe('parseJsonl / loadJsonl', () => {
  it('parses one value per line, skipping blank lines, and names the bad line', async () => {
    expect(parseJsonl('{"a":1}\r\n\n[2]\n"three"\n')).toEqual([{ a: 1 }, [2], 'three']);
    expect(() => parseJsonl('{"a":1}\n\n{"b":\n', 'tickets.jsonl')).toThrow(/^tickets\.jsonl, line 3: invalid JSON \(.+\): \{"b":$/);
    const root = await tree({ 'tickets.jsonl': '{"id":1}\n{"id":2,}\n' });
    await expectContextError(loadJsonl(join(root, 'tickets.jsonl')), 'jsonl-invalid', new RegExp(`^${join(root, 'tickets.jsonl').replaceAll('.', '\\.')}, line 2: invalid JSON`));
  });
});
