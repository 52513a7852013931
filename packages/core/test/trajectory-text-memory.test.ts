import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { TrajectoryTexts } from '../src/engine/record/trajectory-text.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('stored trajectory texts', () => {
  it('do not keep the long texts they were cut from alive', () => {
    const texts = new TrajectoryTexts(200_000, () => undefined);
    gc();
    const before = process.memoryUsage().heapUsed;
    // Ten 40 MB prompts; each stored copy is a 200 K-character head + tail.
    const store = (index: number) => texts.text(`${String(index).repeat(20_000_000)}${'x'.repeat(20_000_000)}`);
    const stored = Array.from({ length: 10 }, (_, index) => store(index));
    gc();
    const retainedMB = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(stored.every((text) => text.length < 200_100 && text.includes('characters truncated'))).toBe(true);
    // 10 × 200 K one-byte characters ≈ 2 MB (plus what the heap has not returned yet); pinned
    // prompts would hold 400 MB.
    expect(retainedMB).toBeLessThan(150);
  });
});
