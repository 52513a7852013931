import { describe, expect, it } from 'vitest';
import { findTextFinal, parseResponse } from '../src/engine/answer/code-blocks.js';

// Shapes from real recorded responses (issue 20); short snippets written inline.
describe('parseResponse on real model shapes', () => {
  it('keeps a FINAL_VAR line written after a ```repl block (qwen2.5:14b)', () => {
    const text =
      "Let's summarize this information as our final answer.\n\n```repl\nfinal_answer = \"The provided context does not specify the distribution.\"\nprint(final_answer)\n```\nFINAL_VAR(final_answer)";
    const parsed = parseResponse(text);
    expect(parsed.blocks).toHaveLength(1);
    expect(parsed.textFinal).toEqual({ kind: 'FINAL_VAR', name: 'final_answer', afterCode: true });
  });

  it('closes a code block on a fence line with glued text (```atical, qwen2.5:7b)', () => {
    const text = [
      "Let's first check what is in the context.",
      '',
      '```repl',
      'SHOW-vars()',
      '```atical output from the context. This will help us proceed with our',
      'analysis.',
      '```',
      '<tool_call>',
      "Let's print out the entire context.",
      '```repl',
      'print(context)',
      '```relude',
    ].join('\n');
    const parsed = parseResponse(text);
    expect(parsed.blocks).toEqual(['SHOW-vars()', 'print(context)']);
    expect(parsed.unterminated).toBe(false);
  });

  it('reads a FINAL line inside ```final and ```instruct fences as text', () => {
    expect(parseResponse('Answer:\n```final\nFINAL(Sansa Stark)\n```').textFinal).toEqual({ kind: 'FINAL', value: 'Sansa Stark' });
    expect(parseResponse('```instruct\nFINAL_VAR(answer)\n```').textFinal).toEqual({ kind: 'FINAL_VAR', name: 'answer' });
  });

  it('keeps FINAL(...) inside ```python as code (the engine falls back to the text rule when it fails)', () => {
    const parsed = parseResponse('```repl\ncentral_ally = "Sansa Stark"\n```\nNow I can state my final answer:\n```python\nFINAL(Sansa Stark)\n```');
    expect(parsed.blocks).toEqual(['central_ally = "Sansa Stark"', 'FINAL(Sansa Stark)']);
    expect(parsed.textFinal).toBeUndefined();
  });
});

describe('findTextFinal balances parentheses and quotes', () => {
  it('stops at the balancing parenthesis, not the last one of the response', () => {
    expect(findTextFinal('The number is stated in the context.\n\nFINAL(42)\n\n(Found in the first sentence (chunk 1).)')).toEqual({
      kind: 'FINAL',
      value: '42',
    });
  });
  it('keeps nested parentheses and ignores parentheses inside a quoted answer', () => {
    expect(findTextFinal('FINAL(The answer is (a) 42) (see above)')).toEqual({ kind: 'FINAL', value: 'The answer is (a) 42' });
    expect(findTextFinal('FINAL("a smiley :) and (b")\nmore (text)')).toEqual({ kind: 'FINAL', value: 'a smiley :) and (b' });
    expect(findTextFinal("FINAL('''multi\nline''')")).toEqual({ kind: 'FINAL', value: 'multi\nline' });
  });
  it('reads two arguments as one text answer (FINAL([0, 1, 3], 26.5), qwen2.5:7b)', () => {
    expect(findTextFinal('FINAL([0, 1, 3, 2, 4], 26.598724516593654)')).toEqual({ kind: 'FINAL', value: '[0, 1, 3, 2, 4], 26.598724516593654' });
  });
  it("handles an apostrophe in an unquoted answer (It's)", () => {
    expect(findTextFinal("FINAL(It's 42 (probably))\nthanks (all)")).toEqual({ kind: 'FINAL', value: "It's 42 (probably)" });
  });
  it('falls back to the last parenthesis when the call never balances', () => {
    expect(findTextFinal('FINAL(open ( paren)')).toEqual({ kind: 'FINAL', value: 'open ( paren' });
    expect(findTextFinal('FINAL(no close')).toEqual({ kind: 'FINAL', value: 'no close' });
  });
  it('reads the first final of the text, FINAL_VAR or FINAL', () => {
    expect(findTextFinal('FINAL(a)\nFINAL_VAR(b)')).toEqual({ kind: 'FINAL', value: 'a' });
    expect(findTextFinal('FINAL_VAR(`b`)\nFINAL(a)')).toEqual({ kind: 'FINAL_VAR', name: 'b' });
  });
});
