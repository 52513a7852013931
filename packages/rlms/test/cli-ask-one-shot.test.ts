import { describe, expect, it } from 'vitest';
import { oneShotSandbox } from '../src/cli/ask-command.js';

describe('rlms ask runs one question per process', () => {
  it('starts no spare Pyodide process beside the run', () => {
    expect(oneShotSandbox({ model: 'gpt-4o', sandbox: 'pyodide' }).sandboxSettings).toEqual({ warmPoolSize: 0 });
    expect(oneShotSandbox({ model: 'gpt-4o', sandbox: 'pyodide', sandboxSettings: { memoryLimitMiB: 512 } }).sandboxSettings).toEqual({ memoryLimitMiB: 512, warmPoolSize: 0 });
  });

  it('keeps an explicit warmPoolSize and leaves other sandboxes alone', () => {
    expect(oneShotSandbox({ model: 'gpt-4o', sandbox: 'pyodide', sandboxSettings: { warmPoolSize: 2 } }).sandboxSettings).toEqual({ warmPoolSize: 2 });
    expect(oneShotSandbox({ model: 'gpt-4o', sandbox: 'local' }).sandboxSettings).toBeUndefined();
  });
});
