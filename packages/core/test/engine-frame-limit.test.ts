import { describe, expect, it } from 'vitest';
import { MAX_FRAME_LIMIT_BYTES, MIN_FRAME_LIMIT_BYTES, frameLimitBytes } from '../src/engine/run/frame-limit.js';

const MIB = 1024 * 1024;

describe('frameLimitBytes', () => {
  it('is 10 MiB with the default output and prompt limits', () => {
    expect(frameLimitBytes({ maxOutputChars: 20_000, maxSubcallPromptChars: 2_000_000 })).toBe(10 * MIB);
  });

  it('leaves room for the largest prompt as UTF-8 and the largest output as escaped JSON, in whole MiB', () => {
    const limit = frameLimitBytes({ maxOutputChars: 100_000, maxSubcallPromptChars: 10_000_000 });
    expect(limit % MIB).toBe(0);
    expect(limit).toBeGreaterThanOrEqual(4 * 10_000_000 + 12 * 4 * 100_000);
    expect(limit).toBeLessThan(4 * 10_000_000 + 12 * 4 * 100_000 + 2 * MIB);
  });

  it('stays in megabytes, never gigabytes: clamped to [8 MiB, 256 MiB]', () => {
    expect(frameLimitBytes({ maxOutputChars: 100, maxSubcallPromptChars: 1 })).toBe(MIN_FRAME_LIMIT_BYTES);
    expect(frameLimitBytes({ maxOutputChars: 1e9, maxSubcallPromptChars: 1e12 })).toBe(MAX_FRAME_LIMIT_BYTES);
    expect(MIN_FRAME_LIMIT_BYTES).toBe(8 * MIB);
    expect(MAX_FRAME_LIMIT_BYTES).toBe(256 * MIB);
  });
});
