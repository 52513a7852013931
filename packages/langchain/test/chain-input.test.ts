import { ConfigurationError, ContextError } from '@rlms/core';
import { Document } from '@langchain/core/documents';
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { StringPromptValue } from '@langchain/core/prompt_values';
import { describe, expect, it } from 'vitest';
import { buildChainContext } from '../src/chain-context.js';
import { normaliseInput } from '../src/chain-input.js';

describe('RLMChain input', () => {
  it('takes the question from input, question or query (first non-empty wins) and echoes them', () => {
    expect(normaliseInput({ input: 'a' }).question).toBe('a');
    expect(normaliseInput({ question: 'b' }).question).toBe('b');
    const both = normaliseInput({ input: '  ', query: 'c' });
    expect(both.question).toBe('c');
    expect(both.echo).toEqual({ input: '  ', query: 'c' });
  });

  it('accepts a string, a string prompt value and messages', () => {
    expect(normaliseInput('plain question').question).toBe('plain question');
    expect(normaliseInput(new StringPromptValue('from a template')).question).toBe('from a template');
    const question = normaliseInput([new SystemMessage('Be brief.'), new HumanMessage('first?'), new AIMessage('one'), new HumanMessage('second?')]).question;
    expect(question).toBe('Instructions:\nBe brief.\n\nConversation so far:\nHuman: first?\nAI: one\n\nQuestion (answer it in the context of the conversation above):\nsecond?');
  });

  it('folds every chat_history shape into the question', () => {
    const pairs = normaliseInput({ input: 'now?', chat_history: [['what is x?', 'x is 1']] }).question;
    expect(pairs).toContain('Human: what is x?\nAI: x is 1');
    const tuples = normaliseInput({ input: 'now?', chat_history: [['human', 'hi'], ['ai', 'hello']] }).question;
    expect(tuples).toContain('Human: hi\nAI: hello');
    expect(normaliseInput({ input: 'now?', chat_history: 'Human: earlier' }).question).toContain('Conversation so far:\nHuman: earlier');
    expect(normaliseInput({ input: 'now?', chat_history: [] }).question).toBe('now?');
  });

  it('treats Documents given as context as documents, anything else as a raw context', () => {
    const documents = [new Document({ pageContent: 'text', metadata: { source: 'a.md' } })];
    expect(normaliseInput({ input: 'q', context: documents }).documents).toEqual(documents);
    expect(normaliseInput({ input: 'q', context: 'raw text' }).context).toBe('raw text');
  });

  it('rejects missing questions and wrong types with ConfigurationError', () => {
    for (const input of [{}, { input: '' }, { input: 3 }, '', [new AIMessage('no human')], 42]) {
      expect(() => normaliseInput(input as never)).toThrow(ConfigurationError);
    }
    expect(() => normaliseInput({ input: 'q', documents: 'nope' } as never)).toThrow(/documents/);
  });

  it('builds the REPL context from documents and contexts', () => {
    const documents = [new Document({ pageContent: 'one', metadata: { source: 'a.md' } }), new Document({ pageContent: 'two' })];
    const built = buildChainContext({ documents, contexts: [{ 'notes.txt': 'three' }, 'loose text', ['x']] });
    expect(built.context).toEqual({
      'a.md#0': '---\nsource: a.md\n---\none',
      'document-1': 'two',
      'notes.txt': 'three',
      context: 'loose text',
      'context-2': ['x'],
    });
    expect(built.documents.map((document) => document.key)).toEqual(['a.md#0', 'document-1', 'notes.txt']);
    expect(buildChainContext({ documents: [], contexts: ['only'] }).context).toBe('only');
    expect(() => buildChainContext({ documents, contexts: [{ 'a.md#0': 'clash' }] })).toThrow(ContextError);
    expect(() => buildChainContext({ documents, contexts: [{ format: 'text', bytes: new Uint8Array(1) }] })).toThrow(/bytes/);
    expect(() => buildChainContext({ documents: [], contexts: [] })).toThrow(/nothing to read/);
  });
});
