import { describe, expect, it } from 'vitest';
import { messagesToQuery, parseChatRequest } from '../src/index.js';

const T = 100;
const long = (letter: string, length = 250) => letter.repeat(length);
const query = (messages: unknown[]) => messagesToQuery(parseChatRequest({ messages }).messages, { thresholdChars: T });

describe('messagesToQuery (the rule documented in the README)', () => {
  it('keeps a short chat in the question and the whole conversation as context', () => {
    const { question, context } = query([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'What is 2+2?' },
    ]);
    expect(question).toBe(
      'System instructions (follow them when answering):\nBe terse.\n\nEarlier conversation:\nuser: Hi\n\nassistant: Hello!\n\nCurrent user message:\nWhat is 2+2?',
    );
    expect(context).toEqual({ conversation: 'system: Be terse.\n\nuser: Hi\n\nassistant: Hello!\n\nuser: What is 2+2?' });
  });

  it('moves every part longer than the threshold into context under message_<i>[_part_<j>]', () => {
    const { question, context } = query([
      { role: 'user', content: long('a') },
      { role: 'assistant', content: 'noted' },
      {
        role: 'user',
        content: [
          { type: 'text', text: long('b') },
          { type: 'text', text: 'Compare the two documents.' },
        ],
      },
    ]);
    expect(Object.keys(context)).toEqual(['message_0', 'message_2_part_0']);
    expect(context.message_0).toBe(long('a'));
    expect(context.message_2_part_0).toBe(long('b'));
    expect(question).toContain('user: [long text of 250 characters: see context["message_0"]]');
    expect(question).toContain('Current user message:\n[long text of 250 characters: see context["message_2_part_0"]]\nCompare the two documents.');
    expect(question).not.toContain('aaaa');
  });

  it('quotes the start and end of a last message that is all long text', () => {
    const text = `${'intro '.repeat(100)}${'middle '.repeat(200)}QUESTION: what is the total?`;
    const { question, context } = query([{ role: 'user', content: text }]);
    expect(context).toEqual({ message_0: text });
    expect(question).toContain('stored in context["message_0"]');
    expect(question).toContain('QUESTION: what is the total?');
    expect(question).not.toContain('middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle middle');
  });

  it('moves a long conversation and long instructions into context', () => {
    const turns = Array.from({ length: 30 }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `turn ${index}` }));
    const { question, context } = query([
      { role: 'system', content: 'rule one. '.repeat(8) },
      { role: 'developer', content: 'rule two. '.repeat(8) },
      ...turns,
      { role: 'user', content: 'Summarise.' },
    ]);
    expect(context.instructions).toContain('rule one.');
    expect(context.instructions).toContain('rule two.');
    expect(context.conversation).toContain('assistant: turn 29');
    expect(question).toBe(
      `The system instructions (${context.instructions!.length} characters) are in context["instructions"]: read and follow them.\n\n` +
        `The earlier conversation (30 messages, ${context.conversation!.length} characters) is in context["conversation"].\n\n` +
        'Current user message:\nSummarise.',
    );
  });

  it('refuses conversations without a user message or with an empty last one', () => {
    expect(() => query([{ role: 'system', content: 'x' }])).toThrow(/must contain a "user" message/);
    expect(() => query([{ role: 'user', content: '' }])).toThrow(/is empty/);
  });
});
