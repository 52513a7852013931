/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server, over the real packages/core/src. The scripted root model's
 * Python runs in the local sandbox and computes every line number; the test re-reads the files and
 * checks that each cited line says what the answer quotes.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { reply } from './scripted-model.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);
const CORE_SRC = fileURLToPath(new URL('../../../packages/core/src', import.meta.url));

async function readTree(dir: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split('\\').join('/'), (await readFile(path, 'utf8')).split('\n'));
  }
  return files;
}

/** `path:line` of every line matching `pattern` in the tree. */
function sitesOf(tree: Map<string, string[]>, pattern: RegExp): string[] {
  return [...tree].flatMap(([path, lines]) => lines.flatMap((line, index) => (pattern.test(line) ? [`${path}:${index + 1}`] : [])));
}

describe('examples/codebase-qa', () => {
  it('traces the llm_query flow through packages/core/src with correct paths and line numbers', async () => {
    const { stdout, stderr } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandbox', 'local']);
    const tree = await readTree(CORE_SRC);

    // Every "- path:line `code`" entry quotes its line exactly.
    const entries = [...stdout.matchAll(/^- ([\w./-]+):(\d+) `([^`]+)`/gm)];
    expect(entries.length).toBeGreaterThan(10);
    for (const [, path, line, code] of entries) {
      const text = tree.get(path!)?.[Number(line) - 1];
      expect(text, `${path}:${line}`).toBeDefined();
      expect(text, `${path}:${line}`).toContain(code!.trim());
    }
    expect(stdout).toMatch(/references: \d+ path:line citations, \d+ quote their line exactly, 0 point to an existing line, 0 mismatched, 0 missing\n/);

    // The key sites of the flow, wherever they are in today's tree, are cited in the right section.
    const section = (title: string) => stdout.slice(stdout.indexOf(title), stdout.indexOf('\n\n', stdout.indexOf(title)));
    const entry = sitesOf(tree, /case 'host_call'/);
    expect(entry.length).toBeGreaterThan(0);
    expect(section('1. Where the request enters the host')).toContain(`${entry[0]} \``);
    const generate = sitesOf(tree, /\.generate\(\{/);
    expect(generate.some((site) => section('3. How the sub-model is called').includes(`${site} \``))).toBe(true);
    const handler = sitesOf(tree, /case 'llm_query':/).filter((site) => site.startsWith('engine/'));
    expect(handler.some((site) => section('2. How it is decoded and dispatched').includes(`${site} \``))).toBe(true);
    expect(section('5. Safety measures on the way')).toMatch(/^- [\w./-]+:\d+ `/m);

    expect(stdout).toMatch(/usage: completed · 4 root calls, \d+ sub-calls · /);
    expect(stderr).toMatch(/code: \d+ files, [\d,]+ lines from .*packages\/core\/src/);
    expect(stderr).toContain('[rlms] Iteration 4: asking the root model.');
  });
});
