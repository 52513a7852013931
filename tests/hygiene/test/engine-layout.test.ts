import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const engine = join(root, 'packages/core/src/engine');

/** The engine's phase folders, as docs/architecture.md ("Inside the engine") describes them. */
const PHASES = ['accounting', 'answer', 'api', 'model', 'prompt', 'record', 'run', 'schema'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('engine layout', () => {
  it('keeps only index.ts at the top; everything else lives in a phase folder', () => {
    const entries = readdirSync(engine);
    expect(entries.filter((name) => !statSync(join(engine, name)).isDirectory())).toEqual(['index.ts']);
    expect(entries.filter((name) => statSync(join(engine, name)).isDirectory()).sort()).toEqual(PHASES);
  });

  it('documents every phase folder in docs/architecture.md', () => {
    const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    for (const phase of PHASES) expect(doc, phase).toContain(`packages/core/src/engine/${phase}/`);
  });

  it('keeps engine files small and executeRun a loop', () => {
    const long = tsFiles(engine)
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
    const run = readFileSync(join(engine, 'run/run.ts'), 'utf8');
    const body = run.slice(run.indexOf('export async function executeRun'), run.indexOf('\n}\n', run.indexOf('export async function executeRun')));
    expect(body.split('\n').length).toBeLessThanOrEqual(40);
  });
});
