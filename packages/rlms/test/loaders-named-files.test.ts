import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles, type SkipReason } from '../src/index.js';
import { makeTree, removeTree } from './cli-helpers.js';

let root: string;

beforeAll(async () => {
  root = await makeTree({ 'big.log': 'x'.repeat(4096), 'small.log': 'ok\n' });
});

afterAll(async () => {
  await removeTree(root);
});

describe('loadFiles: named files and the per-file limit', () => {
  it('loads a file named by its path whatever maxFileBytes says', async () => {
    const loaded = await loadFiles('big.log', { cwd: root, maxFileBytes: 100 });
    expect(loaded['big.log']).toHaveLength(4096);
  });

  it('still skips a file over maxFileBytes matched by a glob, reporting it', async () => {
    const skipped: [string, SkipReason][] = [];
    const loaded = await loadFiles('*.log', { cwd: root, maxFileBytes: 100, onSkip: (path, reason) => skipped.push([path, reason]) });
    expect(Object.keys(loaded)).toEqual(['small.log']);
    expect(skipped).toEqual([['big.log', 'too-large']]);
  });
});
