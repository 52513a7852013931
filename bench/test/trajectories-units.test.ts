import { describe, expect, it } from 'vitest';
import { classify, looksLikeSource, type RlmsOutcome } from '../src/trajectories/classify-outcome.js';
import { compareAnswers } from '../src/trajectories/compare-answers.js';
import type { ReplayLog } from '../src/trajectories/replay-server.js';
import { balancedArgument, scanResponse } from '../src/trajectories/response-shapes.js';
import { subExchange, type RealOutcome } from '../src/trajectories/trajectory-corpus.js';

const FENCE = '```';

function replayLog(overrides: Partial<ReplayLog> = {}): ReplayLog {
  return { rootServed: 3, ranOutOfScript: false, closingCalled: false, closingScripted: false, subcalls: [], truncatedReplies: [], ...overrides };
}

const realAt3: RealOutcome = { complete: true, endKind: 'iteration', turn: 3, answer: 'Sansa Stark', unresolvedFinal: false };
const rlmsAt = (turn: number, answer: string, endKind: RlmsOutcome['endKind'] = 'iteration'): RlmsOutcome => ({ status: 'completed', endKind, turn, answer });

describe('compareAnswers', () => {
  it('says which normalisations make two answers equal', () => {
    expect(compareAnswers('  Sansa Stark\n', 'Sansa Stark')).toEqual({ kind: 'same' });
    expect(compareAnswers('"Blue"', 'Blue')).toEqual({ kind: 'equivalent', how: 'quotes' });
    expect(compareAnswers('The tour costs 22.0', 'the tour costs 22')).toEqual({ kind: 'equivalent', how: 'case, number formatting' });
    expect(compareAnswers("{'a': True}", '{"a": true}')).toMatchObject({ kind: 'equivalent' });
    expect(compareAnswers('Jon Snow', 'Sansa Stark')).toEqual({ kind: 'different' });
  });

  it('accepts a recorded sub-call reply cut at 200 characters, and a closing answer taken from the same response', () => {
    const cut = 'If it fails there is no automatic fail\u2026';
    expect(compareAnswers(`Q5: ${cut}`, 'Q5: If it fails there is no automatic failover at all.', { truncatedReplies: [cut] })).toMatchObject({ kind: 'equivalent' });
    expect(compareAnswers('22 units', 'Thus:\n\nFINAL(22 units)', { bothClosing: true })).toMatchObject({ kind: 'equivalent' });
    expect(compareAnswers('22 units', 'Thus:\n\nFINAL(22 units)')).toEqual({ kind: 'different' });
    const raw = `I will search again.\n\n${FENCE}repl\nprint(x)\n${FENCE}\n\nThen I combine the answers.`;
    expect(compareAnswers('I will search again.\n\n\n\nThen I combine the answers.', raw, { bothClosing: true })).toEqual({
      kind: 'equivalent',
      how: 'closing call: rlms returns the reply without its code blocks, the reference the raw reply',
    });
  });
});

describe('scanResponse', () => {
  it('finds a final line after a code block, and reads its argument with balanced parentheses', () => {
    const scan = scanResponse(`Plan:\n${FENCE}repl\nx = f(1)\n${FENCE}\nDone.\n\nFINAL(42 (rows 1-3)) and more (text)`);
    expect(scan.blocks).toEqual([{ lang: 'repl', code: 'x = f(1)', closed: true }]);
    expect(scan.proseFinals).toEqual([expect.objectContaining({ kind: 'FINAL', argument: '42 (rows 1-3)', afterCode: true })]);
  });

  it('treats a fence with text glued on as a close and reports the line', () => {
    const scan = scanResponse(`${FENCE}repl\nprint(context)\n${FENCE}atical output\nprose`);
    expect(scan.blocks[0]).toEqual({ lang: 'repl', code: 'print(context)', closed: true, gluedClose: `${FENCE}atical output` });
  });

  it('reports unclosed blocks and non-code fences', () => {
    const scan = scanResponse(`${FENCE}final\nFINAL(done)\n${FENCE}\n${FENCE}repl\nx = 1`);
    expect(scan.blocks.map((block) => [block.lang, block.closed])).toEqual([
      ['final', true],
      ['repl', false],
    ]);
    expect(balancedArgument('FINAL("a)b")', 5)).toBe('"a)b"');
  });
});

describe('classify', () => {
  it('puts each way of ending in its class', () => {
    expect(classify(realAt3, rlmsAt(3, 'Sansa Stark'), replayLog()).outcomeClass).toBe('same');
    expect(classify(realAt3, rlmsAt(3, 'sansa stark.'), replayLog())).toMatchObject({ outcomeClass: 'equivalent', equivalence: 'case, trailing punctuation' });
    expect(classify(realAt3, rlmsAt(3, 'Jon Snow'), replayLog()).outcomeClass).toBe('same-turn-different-answer');
    expect(classify(realAt3, rlmsAt(2, 'Sansa Stark'), replayLog()).outcomeClass).toBe('different-turn');
    expect(classify({ ...realAt3, turn: 2 }, { ...rlmsAt(3, ''), status: 'error', endKind: 'none' }, replayLog({ rootServed: 2, ranOutOfScript: true })).outcomeClass).toBe('ran-out-of-script');
    expect(classify(realAt3, rlmsAt(3, 'x', 'closing'), replayLog({ closingCalled: true })).outcomeClass).toBe('max-iterations');
    expect(classify(realAt3, { status: 'no-result', endKind: 'none', turn: 0, answer: '' }, replayLog()).outcomeClass).toBe('error');
    expect(classify({ ...realAt3, complete: false }, rlmsAt(3, 'x'), replayLog()).outcomeClass).toBe('incomplete-capture');
  });

  it('counts as better a value where the reference returned program text, or an answer where it fell back to the closing call', () => {
    expect(classify({ ...realAt3, answer: 'final_answer' }, rlmsAt(3, 'Sansa Stark'), replayLog()).outcomeClass).toBe('better');
    expect(classify({ ...realAt3, endKind: 'closing', unresolvedFinal: true }, rlmsAt(3, 'Sansa Stark'), replayLog()).outcomeClass).toBe('better');
    const closing: RealOutcome = { ...realAt3, endKind: 'closing', answer: `The ally is Sansa.\n${FENCE}repl\nFINAL_VAR(final_answer)\n${FENCE}` };
    expect(classify(closing, rlmsAt(3, 'Sansa Stark', 'closing'), replayLog()).outcomeClass).toBe('better');
    expect(classify({ ...closing, answer: 'The ally is Sansa, I think.' }, rlmsAt(3, 'Sansa Stark', 'closing'), replayLog()).outcomeClass).toBe('same-turn-different-answer');
    expect(looksLikeSource('f"The main character is {name}"')).toBe(true);
    expect(looksLikeSource('main_character + ", ally " + ally')).toBe(true);
    expect(looksLikeSource('Sansa Stark')).toBe(false);
  });
});

describe('subExchange', () => {
  it('splits the "Prompt: … Response: …" form some captures use', () => {
    expect(subExchange({ kind: 'llm_query', prompt_preview: null, response_preview: 'Prompt: What is X? Response: 7' })).toEqual({ prompt: 'What is X?', reply: '7', truncated: false });
    expect(subExchange({ kind: 'llm_query', prompt_preview: 'What is X?', response_preview: '7', truncated: true })).toEqual({ prompt: 'What is X?', reply: '7', truncated: true });
  });
});
