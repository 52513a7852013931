import { describe, expect, it } from 'vitest';
import { ConfigurationError, ContextError } from '../src/errors/index.js';
import {
  assertPythonIdentifier,
  checkCreateSessionOptions,
  checkExecuteArguments,
  checkLoadContextArguments,
  checkSessionTools,
  isPythonIdentifier,
} from '../src/protocol/index.js';
import type { HostBridge, HostToolInfo } from '../src/spec/index.js';

const host: HostBridge = { call: () => Promise.resolve('') };
const text = new TextEncoder().encode('hello');

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('isPythonIdentifier', () => {
  it.each(['context', '_private', 'search_docs', 'x1', 'match', 'type', '_'])('accepts %j', (name) => {
    expect(isPythonIdentifier(name)).toBe(true);
  });

  it.each(['', '2fast', 'not valid', 'a-b', 'café', 'class', 'None', 'lambda', 'x\n'])('refuses %j', (name) => {
    expect(isPythonIdentifier(name)).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['x']]) expect(isPythonIdentifier(value)).toBe(false);
  });
});

describe('assertPythonIdentifier', () => {
  it('returns for a valid name and throws a ConfigurationError naming the bad one and the rule', () => {
    expect(() => assertPythonIdentifier('ok_name', 'Tool name')).not.toThrow();
    const error = thrown(() => assertPythonIdentifier('2fast', 'Tool name')) as ConfigurationError;
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.code).toBe('invalid-identifier');
    expect(error.message).toBe(
      'Tool name "2fast" is not a valid Python identifier: a Python identifier is ASCII letters, digits and _, does not start with a digit and is not a keyword such as "class" (e.g. "search_docs").',
    );
  });

  it('says what a non-string was and takes the code to throw with', () => {
    const error = thrown(() => assertPythonIdentifier(7, 'variableName', 'invalid-argument')) as ConfigurationError;
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toMatch(/^variableName a number is not a valid Python identifier/);
  });
});

describe('checkCreateSessionOptions', () => {
  it('returns the tools, [] when none', () => {
    const tools: HostToolInfo[] = [{ name: 'search' }, { name: 'fetch_page' }];
    expect(checkCreateSessionOptions({ host, tools })).toBe(tools);
    expect(checkCreateSessionOptions({ host })).toEqual([]);
  });

  it.each([
    ['no host', {}, 'invalid-argument', /host/],
    ['a host without call', { host: {} }, 'invalid-argument', /HostBridge/],
    ['tools not an array', { host, tools: 'search' }, 'invalid-tools', /must be an array/],
    ['a tool named with a keyword', { host, tools: [{ name: 'class' }] }, 'invalid-tools', /tool name "class"/],
    ['a tool defined twice', { host, tools: [{ name: 'a' }, { name: 'a' }] }, 'invalid-tools', /"a" is defined twice/],
    ['negative maxOutputChars', { host, maxOutputChars: -1 }, 'invalid-argument', /maxOutputChars/],
    ['a tiny maxFrameBytes', { host, maxFrameBytes: 1000 }, 'invalid-argument', /maxFrameBytes must be an integer between 65536/],
    ['a huge maxFrameBytes', { host, maxFrameBytes: 2 ** 33 }, 'invalid-argument', /maxFrameBytes/],
  ])('refuses %s', (_label, options, code, message) => {
    const error = thrown(() => checkCreateSessionOptions(options as never)) as ConfigurationError;
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('checkSessionTools names the calling method', () => {
    expect((thrown(() => checkSessionTools([{ name: '1x' }], 'createSession()')) as Error).message).toMatch(/^createSession\(\): tool name "1x"/);
  });
});

describe('checkLoadContextArguments', () => {
  it('returns the variable name, "context" by default', () => {
    expect(checkLoadContextArguments({ format: 'text', bytes: text })).toBe('context');
    expect(checkLoadContextArguments({ format: 'json', bytes: text }, { variableName: 'doc' })).toBe('doc');
  });

  it('refuses a bad payload with a ContextError and a bad name with a ConfigurationError', () => {
    const format = thrown(() => checkLoadContextArguments({ format: 'csv', bytes: text } as never)) as ContextError;
    expect(ContextError.isInstance(format)).toBe(true);
    expect(format.code).toBe('invalid-context');
    expect(ContextError.isInstance(thrown(() => checkLoadContextArguments({ format: 'text', bytes: 'hi' } as never)))).toBe(true);
    const name = thrown(() => checkLoadContextArguments({ format: 'text', bytes: text }, { variableName: 'import' })) as ConfigurationError;
    expect(ConfigurationError.isInstance(name)).toBe(true);
    expect(name.message).toMatch(/^loadContext: variableName "import" is not a valid Python identifier/);
  });
});

describe('checkExecuteArguments', () => {
  it('accepts code with or without a timeout', () => {
    expect(() => checkExecuteArguments('print(1)')).not.toThrow();
    expect(() => checkExecuteArguments('print(1)', { timeoutMs: 1_000 })).not.toThrow();
  });

  it.each([
    ['code not a string', 42, {}, /code must be a string/],
    ['a zero timeout', 'x', { timeoutMs: 0 }, /timeoutMs must be a positive number/],
    ['a timeout past what a timer can wait', 'x', { timeoutMs: 2 ** 31 }, /timeoutMs/],
    ['a NaN timeout', 'x', { timeoutMs: Number.NaN }, /timeoutMs/],
  ])('refuses %s', (_label, code, options, message) => {
    const error = thrown(() => checkExecuteArguments(code as never, options)) as ConfigurationError;
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toMatch(message);
  });
});
