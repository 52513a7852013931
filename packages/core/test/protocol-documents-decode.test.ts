import { describe, expect, it } from 'vitest';
import { ContextError } from '../src/index.js';
import { decodeContextPayload, decodeDocumentsPayload, encodeDocumentsPayload } from '../src/sandbox.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('decoding context payloads in JavaScript', () => {
  it('round-trips named documents, order and all', () => {
    const documents = { 'b.md': 'two\nlines', 'a.txt': 'héllo 👋', empty: '' };
    const payload = encodeDocumentsPayload(Object.entries(documents))!;
    expect(payload.format).toBe('documents');
    const decoded = decodeContextPayload(payload) as Record<string, string>;
    expect(decoded).toEqual(documents);
    expect(Object.keys(decoded)).toEqual(['b.md', 'a.txt', 'empty']);
  });

  it('decodes text and JSON payloads', () => {
    expect(decodeContextPayload({ format: 'text', bytes: bytes('plain') })).toBe('plain');
    expect(decodeContextPayload({ format: 'json', bytes: bytes('[1,"x"]') })).toEqual([1, 'x']);
  });

  it.each([
    ['no index line', '[["a",1]]'],
    ['an index that is not JSON', '{nope\nx'],
    ['an index that is not a list', '{"a":1}\nx'],
    ['a negative length', '[["a",-1]]\nx'],
    ['a length past the end', '[["a",5]]\nxy'],
    ['lengths that leave bytes over', '[["a",1]]\nxy'],
  ])('refuses %s with a ContextError', (_, text) => {
    expect(() => decodeDocumentsPayload(bytes(text))).toThrow(ContextError);
  });

  it('refuses a document that is not UTF-8', () => {
    const head = bytes('[["a",2]]\n');
    const payload = new Uint8Array([...head, 0xc3, 0x28]);
    expect(() => decodeDocumentsPayload(payload)).toThrow(/not valid UTF-8/);
  });

  it('keeps a document named __proto__ as a plain key', () => {
    const decoded = decodeDocumentsPayload(encodeDocumentsPayload([['__proto__', 'x']])!.bytes);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(decoded['__proto__']).toBe('x');
  });
});
