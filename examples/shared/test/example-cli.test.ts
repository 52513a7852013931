import { describe, expect, it } from 'vitest';
import { commonHelp, createExampleRLM, positiveNumber, UsageError } from '../example-cli.ts';

describe('commonHelp', () => {
  it('describes every common flag, with the example\'s own sandbox and budget lines', () => {
    const help = commonHelp();
    for (const flag of ['--base-url', '--model', '--sub-model', '--sandbox', '--max-cost', '--max-iterations', '--price', '--api-key-env', '--save-trajectory', '--quiet']) {
      expect(help).toContain(flag);
    }
    const custom = commonHelp({ sandbox: false, budget: 'budget of each turn', saveTrajectory: false });
    expect(custom).not.toContain('--sandbox');
    expect(custom).not.toContain('--save-trajectory');
    expect(custom).toContain('  --max-cost USD      budget of each turn\n');
    expect(custom.endsWith('  --quiet             no live trace')).toBe(true);
  });
});

describe('positiveNumber', () => {
  it('parses positive numbers and names the flag otherwise', () => {
    expect(positiveNumber('2.5', 'max-cost')).toBe(2.5);
    expect(positiveNumber(undefined, 'max-cost')).toBeUndefined();
    for (const bad of ['0', '-1', 'ten', 'Infinity']) {
      expect(() => positiveNumber(bad, 'papers')).toThrow(new UsageError(`--papers must be a positive number, got "${bad}".`));
    }
  });
});

describe('createExampleRLM', () => {
  it('refuses flags it cannot use, with a UsageError that says what to pass', () => {
    expect(() => createExampleRLM({ 'base-url': 'http://127.0.0.1:1/v1' })).toThrow(/--base-url needs --model/);
    expect(() => createExampleRLM({ 'base-url': 'http://127.0.0.1:1/v1', model: 'm', price: '1' })).toThrow(/--price must be INPUT\/OUTPUT/);
    expect(() => createExampleRLM({ 'base-url': 'http://127.0.0.1:1/v1', model: 'm', 'api-key-env': 'RLMS_EXAMPLES_NO_SUCH_VARIABLE' })).toThrow(UsageError);
    expect(() => createExampleRLM({ 'base-url': 'http://127.0.0.1:1/v1', model: 'm', 'max-iterations': '0' })).toThrow(/--max-iterations must be a positive number/);
  });

  it('builds a model for a --base-url server without an API key, and does no I/O', async () => {
    const rlm = createExampleRLM({ 'base-url': 'http://127.0.0.1:1/v1', model: 'm', price: '0.5/1.5', 'max-iterations': '4.7', quiet: true }, { maxDepth: 1 });
    await rlm.close();
  });
});
