import { ConfigurationError } from '@rlms/core';
import { describe, expect, it } from 'vitest';
import { createPyodideSandbox } from '../src/index.js';
import { mergeRawOutput } from '../src/merge-raw-output.js';
import { resolvePyodideSandboxSettings } from '../src/pyodide-sandbox-settings.js';

describe('PyodideSandboxSettings', () => {
  it('applies documented defaults', () => {
    const resolved = resolvePyodideSandboxSettings();
    expect(resolved).toMatchObject({
      memoryLimitMiB: 2048,
      jsHeapLimitMiB: 1024,
      warmPoolSize: 1,
      memorySnapshot: true,
      interruptGraceMs: 2000,
      transferContextBytes: false,
    });
    expect(resolved.runtimeSource()).toContain('class Runtime');
    expect(resolvePyodideSandboxSettings({ memoryLimitMiB: 128 }).jsHeapLimitMiB).toBe(256);
  });

  it.each([
    [{ memoryLimitMiB: 32 }, 'memoryLimitMiB'],
    [{ memoryLimitMiB: 4096 }, 'memoryLimitMiB'],
    [{ memoryLimitMiB: 1.5 }, 'memoryLimitMiB'],
    [{ warmPoolSize: -1 }, 'warmPoolSize'],
    [{ interruptGraceMs: Number.NaN }, 'interruptGraceMs'],
    [{ memorySnapshot: 'yes' }, 'memorySnapshot'],
    [{ transferContextBytes: 1 }, 'transferContextBytes'],
    [{ runtimeSource: '  ' }, 'runtimeSource'],
  ])('rejects %j with a ConfigurationError naming the setting', (settings, name) => {
    let caught: unknown;
    try {
      createPyodideSandbox(settings as never);
    } catch (error) {
      caught = error;
    }
    expect(ConfigurationError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain(name);
  });

  it('derives maxContextBytes from the memory cap', () => {
    expect(createPyodideSandbox({ memoryLimitMiB: 400 }).capabilities.maxContextBytes).toBe(100 * 1024 * 1024);
  });
});

describe('mergeRawOutput', () => {
  it('appends fd output and keeps head and tail within the limit', () => {
    expect(mergeRawOutput('a\n', undefined, 10)).toEqual({ text: 'a\n', cut: 0 });
    expect(mergeRawOutput('a\n', 'b\n', 10)).toEqual({ text: 'a\nb\n', cut: 0 });
    const merged = mergeRawOutput('x'.repeat(10), 'y'.repeat(10), 10);
    expect(merged.cut).toBe(10);
    expect(merged.text).toBe('xxxxx\n... [10 characters truncated] ...\nyyyyy');
  });
});
