import { describe, expect, it } from 'vitest';
import { findTextFinal, parseResponse } from '../src/engine/answer/code-blocks.js';

describe('parseResponse', () => {
  it('extracts repl and python blocks in order and ignores other languages', () => {
    const text = [
      'Let me look.',
      '```repl',
      'x = 1',
      '```',
      '```js',
      'console.log(1)',
      '```',
      '```python',
      'print(x)',
      '```',
    ].join('\n');
    expect(parseResponse(text)).toEqual({ blocks: ['x = 1', 'print(x)'], unterminated: false });
  });

  it('keeps code that contains a fence marker inside a string', () => {
    const text = '````repl\ns = "```"\nprint(s)\n````';
    expect(parseResponse(text).blocks).toEqual(['s = "```"\nprint(s)']);
  });

  it('reports an unterminated fence and runs nothing from it', () => {
    const parsed = parseResponse('```repl\nx = 1\nwhile True:');
    expect(parsed.unterminated).toBe(true);
    expect(parsed.blocks).toEqual([]);
  });

  it('runs complete blocks before an unterminated one', () => {
    const parsed = parseResponse('```repl\na = 1\n```\n```repl\nb = 2');
    expect(parsed).toEqual({ blocks: ['a = 1'], unterminated: true });
  });

  it('reports a FINAL in text after the code, marked as after the code', () => {
    const parsed = parseResponse('```repl\nprint(1)\n```\nFINAL(42)');
    expect(parsed.textFinal).toEqual({ kind: 'FINAL', value: '42', afterCode: true });
    expect(parsed.blocks).toHaveLength(1);
    expect(parseResponse('FINAL(42)\n```repl\nprint(1)\n```').textFinal).toEqual({ kind: 'FINAL', value: '42', afterCode: false });
  });

  it('accepts a text FINAL when there is no code', () => {
    expect(parseResponse('I found it.\nFINAL(The answer is (a) 42)').textFinal).toEqual({
      kind: 'FINAL',
      value: 'The answer is (a) 42',
    });
  });

  it('does not treat FINAL inside a non-python fence as code, nor mid-sentence FINAL as an answer', () => {
    expect(parseResponse('We will call FINAL(x) later.').textFinal).toBeUndefined();
  });

  it('dedents indented blocks', () => {
    expect(parseResponse('  ```repl\n  x = 1\n  if x:\n      print(x)\n  ```').blocks).toEqual(['x = 1\nif x:\n    print(x)']);
  });

  it('handles thousands of tiny blocks', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `\`\`\`repl\nv${i} = ${i}\n\`\`\``).join('\n');
    expect(parseResponse(text).blocks).toHaveLength(3000);
  });
});

describe('findTextFinal', () => {
  it('reads FINAL_VAR with or without quotes', () => {
    expect(findTextFinal('FINAL_VAR(result)')).toEqual({ kind: 'FINAL_VAR', name: 'result' });
    expect(findTextFinal('FINAL_VAR("result")')).toEqual({ kind: 'FINAL_VAR', name: 'result' });
  });
  it('strips quotes around a FINAL value', () => {
    expect(findTextFinal('FINAL("Paris")')).toEqual({ kind: 'FINAL', value: 'Paris' });
  });
});

describe('fences that are not code', () => {
  it('does not read a FINAL inside an untagged or other-language fence', () => {
    expect(parseResponse('Here is the plan:\n```\nFINAL(len(context))\n```').textFinal).toBeUndefined();
    expect(parseResponse('```text\nFINAL(x)\n```\nFINAL(real answer)').textFinal).toEqual({ kind: 'FINAL', value: 'real answer' });
  });
  it('accepts a repl fence preceded by a byte-order mark or zero-width space', () => {
    expect(parseResponse('\uFEFF```repl\nFINAL(len(context))\n```').blocks).toEqual(['FINAL(len(context))']);
    expect(parseResponse('\u200B```python\nx = 1\n\u200B```').blocks).toEqual(['x = 1']);
  });
});
