import { describe, expect, it } from 'vitest';
import { finalOfFailedBlock, resolveFinalAfterCode } from '../src/engine/answer/final-answer.js';
import { formatExecution } from '../src/engine/answer/format-observation.js';
import { reservedNameReason } from '../src/engine/api/python-names.js';
import { toWireValue, WireValueError, WIRE_TAG } from '../src/protocol/wire-conversions.js';
import type { ExecutionResult } from '../src/spec/sandbox-provider-v1.js';

const failed = (type: string, message: string): ExecutionResult => ({
  stdout: '',
  stderr: '',
  error: { type, message, traceback: '' },
  truncatedChars: 0,
  durationMs: 0,
});

describe('finalOfFailedBlock (issue 20, point 3)', () => {
  it('reads a FINAL line that is a SyntaxError with the text rule, keeping the rest of the block to run', () => {
    expect(finalOfFailedBlock('FINAL(Sansa Stark)', failed('SyntaxError', 'invalid syntax. Perhaps you forgot a comma? (<rlms-cell-2>, line 1)'))).toEqual({
      final: { kind: 'FINAL', value: 'Sansa Stark' },
    });
    expect(finalOfFailedBlock('x = 1\nFINAL(Sansa Stark)', failed('SyntaxError', 'invalid syntax (<cell>, line 2)'))).toEqual({
      final: { kind: 'FINAL', value: 'Sansa Stark' },
      rest: 'x = 1',
    });
  });
  it('reads FINAL with two arguments (TypeError) with the text rule', () => {
    expect(finalOfFailedBlock('FINAL([0, 1, 3], 26.5)', failed('TypeError', 'FINAL() takes 1 positional argument but 2 were given'))).toEqual({
      final: { kind: 'FINAL', value: '[0, 1, 3], 26.5' },
    });
  });
  it('leaves other failures alone: a syntax error elsewhere, FINAL(), an unrelated error', () => {
    expect(finalOfFailedBlock('def f(:\n  pass\nFINAL(x y)', failed('SyntaxError', 'invalid syntax (<cell>, line 1)'))).toBeUndefined();
    expect(finalOfFailedBlock('FINAL()', failed('TypeError', "FINAL() missing 1 required positional argument: 'value'"))).toBeUndefined();
    expect(finalOfFailedBlock('FINAL(f(1))', failed('ZeroDivisionError', 'division by zero'))).toBeUndefined();
    expect(finalOfFailedBlock('print(1)', failed('SyntaxError', 'invalid syntax (<cell>, line 1)'))).toBeUndefined();
  });
});

describe('resolveFinalAfterCode (issue 20, point 1)', () => {
  const never = async () => ({});
  it('says why a final line is not accepted', async () => {
    expect(await resolveFinalAfterCode({ kind: 'FINAL_VAR', name: 'x', afterCode: true }, 'code block 1 raised NameError', never, 100)).toEqual({
      kind: 'feedback',
      feedback: 'Your FINAL_VAR(x) line after the code was not accepted because code block 1 raised NameError. Fix the code, then finish again.',
    });
    const early = await resolveFinalAfterCode({ kind: 'FINAL', value: '42', afterCode: false }, undefined, never, 100);
    expect(early.kind === 'feedback' && early.feedback).toContain('came before your code');
  });
});

describe('formatExecution (issue 20, point 11)', () => {
  it('does not cut output the runtime already cut, so the true count reaches the model', () => {
    const kept = `${'a'.repeat(500)}\n... [29500 characters truncated] ...\n${'b'.repeat(500)}`;
    const text = formatExecution({ stdout: kept, stderr: '', truncatedChars: 29_500, durationMs: 0 }, 0, 1, 1_000);
    expect(text).toContain('[29500 characters truncated]');
    expect(text.match(/characters truncated/g)).toHaveLength(1);
  });
  it('still cuts output a sandbox did not cut', () => {
    const text = formatExecution({ stdout: 'x'.repeat(5_000), stderr: '', truncatedChars: 0, durationMs: 0 }, 0, 1, 1_000);
    expect(text).toContain('[4000 characters truncated]');
  });
});

describe('reservedNameReason (issue 20, point 13)', () => {
  it('rejects keywords, builtins and REPL names, accepts ordinary names', () => {
    expect(reservedNameReason('for')).toContain('keyword');
    expect(reservedNameReason('print')).toContain('builtin');
    expect(reservedNameReason('history')).toContain('REPL already defines');
    expect(reservedNameReason('context_3')).toContain('REPL already defines');
    expect(reservedNameReason('2fast')).toContain('not a Python identifier');
    expect(reservedNameReason('search_docs')).toBeUndefined();
  });
});

describe('toWireValue (issue 20, point 14)', () => {
  it('converts Set, Map, NaN, Infinity, BigInt, Date and undefined faithfully', () => {
    const value = toWireValue({
      s: new Set([1, 2]),
      m: new Map([['k', new Set(['v'])]]),
      n: Number.NaN,
      i: Number.NEGATIVE_INFINITY,
      b: 12345678901234567890n,
      d: new Date(0),
      u: undefined,
      a: [undefined],
    });
    expect(value).toEqual({
      s: [1, 2],
      m: { k: ['v'] },
      n: { [WIRE_TAG]: 'float', value: 'nan' },
      i: { [WIRE_TAG]: 'float', value: '-inf' },
      b: { [WIRE_TAG]: 'int', value: '12345678901234567890' },
      d: '1970-01-01T00:00:00.000Z',
      u: null,
      a: [null],
    });
  });
  it('raises a WireValueError naming the path for what cannot cross', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => toWireValue({ list: [new Map([[1, 'x']])] }, 'tool() result')).toThrow(/tool\(\) result\.list\[0\] is a Map with a number key/);
    expect(() => toWireValue({ f: () => 1 })).toThrow(WireValueError);
    expect(() => toWireValue(cycle)).toThrow(/value\.self refers to itself/);
    const shared = { x: 1 };
    expect(toWireValue([shared, shared])).toEqual([{ x: 1 }, { x: 1 }]);
  });
});
