import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/index.js';
import { hostCallFromBody, withPromptsFromBytes } from '../src/protocol/index.js';
import { parseRuntimeFrame } from '../src/protocol/runtime-frame.js';

const encoder = new TextEncoder();
const fail = (problem: string): Error => new TypeError(problem);

/** The wire form of `prompts`: their byte lengths and their UTF-8 bytes one after the other. */
function wire(prompts: readonly string[]): { sizes: number[]; bytes: Uint8Array } {
  const parts = prompts.map((prompt) => encoder.encode(prompt));
  return { sizes: parts.map((part) => part.length), bytes: new Uint8Array(Buffer.concat(parts)) };
}

function body(header: unknown, bytes?: Uint8Array): Uint8Array {
  const head = encoder.encode(JSON.stringify(header));
  return bytes === undefined ? head : new Uint8Array(Buffer.concat([head, Buffer.from('\n'), bytes]));
}

describe('withPromptsFromBytes', () => {
  it('round-trips prompts of any script, empty ones included, in order', () => {
    const prompts = ['plain', '', 'é“quoted”', '🦊 emoji\nnew line', '\u0000nul', 'x'.repeat(70_000)];
    const { sizes, bytes } = wire(prompts);
    expect(withPromptsFromBytes('llm_query_batched', { model: 'm' }, sizes, bytes, fail)).toEqual({ model: 'm', prompts });
    const one = wire(['only one']);
    expect(withPromptsFromBytes('rlm_query', { context: [1] }, one.sizes, one.bytes, fail)).toEqual({ context: [1], prompt: 'only one' });
  });

  it.each([
    ['not a list', { n: 3 }],
    ['a negative length', [4, -1]],
    ['a fractional length', [1.5, 1.5]],
    ['a string length', ['3']],
    ['an unsafe integer', [2 ** 53, 3]],
    ['lengths that overflow when added', [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 3]],
  ])('refuses promptBytes that is %s', (_, sizes) => {
    expect(() => withPromptsFromBytes('llm_query_batched', {}, sizes, encoder.encode('abc'), fail)).toThrow(TypeError);
  });

  it('refuses lengths that do not add up to the bytes sent', () => {
    expect(() => withPromptsFromBytes('llm_query_batched', {}, [1, 1], encoder.encode('abc'), fail)).toThrow(/add up to 2 bytes but 3/);
    expect(() => withPromptsFromBytes('llm_query_batched', {}, [2, 2], encoder.encode('abc'), fail)).toThrow(/more than the 3 bytes/);
  });

  it('refuses invalid UTF-8, also a multi-byte character cut between two prompts', () => {
    expect(() => withPromptsFromBytes('llm_query', {}, [2], new Uint8Array([0xc3, 0x28]), fail)).toThrow(/prompt 0 is not valid UTF-8/);
    const e = encoder.encode('é');
    expect(() => withPromptsFromBytes('llm_query_batched', {}, [1, 1], e, fail)).toThrow(/not valid UTF-8/);
  });

  it('refuses prompts for ops that take none or one, and prompts given twice', () => {
    const { sizes, bytes } = wire(['a', 'b']);
    expect(() => withPromptsFromBytes('tool', {}, sizes, bytes, fail)).toThrow(/takes no prompts/);
    expect(() => withPromptsFromBytes('llm_query', {}, sizes, bytes, fail)).toThrow(/exactly one prompt, got 2/);
    expect(() => withPromptsFromBytes('llm_query_batched', { prompts: ['x'] }, sizes, bytes, fail)).toThrow(/both in "payload"/);
  });
});

describe('host_call frames with a prompt attachment', () => {
  const frame = (header: Record<string, unknown>, attachment?: Uint8Array) =>
    parseRuntimeFrame({ header: { type: 'host_call', id: 'p1', op: 'llm_query_batched', payload: {}, ...header }, ...(attachment ? { attachment } : {}) }, 'test');

  it('puts the prompts back into the payload', () => {
    const { sizes, bytes } = wire(['α', 'β']);
    expect(frame({ promptBytes: sizes }, bytes)).toEqual({ type: 'host_call', id: 'p1', op: 'llm_query_batched', payload: { prompts: ['α', 'β'] } });
  });

  it('answers hostile lengths and bytes with a ProtocolError, never another error', () => {
    const cases: [Record<string, unknown>, Uint8Array | undefined][] = [
      [{ promptBytes: [5] }, encoder.encode('abc')],
      [{ promptBytes: [-3, 6] }, encoder.encode('abc')],
      [{ promptBytes: [1e300] }, encoder.encode('abc')],
      [{ promptBytes: [2] }, new Uint8Array([0xff, 0xfe])],
      [{ promptBytes: [3] }, undefined],
      [{}, encoder.encode('abc')],
      [{ op: 'tool', promptBytes: [3] }, encoder.encode('abc')],
    ];
    for (const [header, attachment] of cases) {
      expect(() => frame(header, attachment), JSON.stringify(header)).toThrow(ProtocolError);
    }
  });
});

describe('hostCallFromBody (embedded host calls)', () => {
  it('reads the JSON header, then the prompts after the newline', () => {
    const { sizes, bytes } = wire(['one', 'two\nlines']);
    expect(hostCallFromBody(body({ op: 'llm_query_batched', payload: { model: 'm' }, promptBytes: sizes }, bytes), fail)).toEqual({
      op: 'llm_query_batched',
      payload: { model: 'm', prompts: ['one', 'two\nlines'] },
    });
  });

  it('still reads a whole-JSON request (no newline)', () => {
    expect(hostCallFromBody(body({ op: 'llm_query', payload: { prompt: 'hi' } }), fail)).toEqual({ op: 'llm_query', payload: { prompt: 'hi' } });
  });

  it('refuses bodies that do not hold together', () => {
    expect(() => hostCallFromBody(encoder.encode('not json'), fail)).toThrow(/not UTF-8 JSON/);
    expect(() => hostCallFromBody(new Uint8Array([0x7b, 0xff, 0x7d]), fail)).toThrow(/not UTF-8 JSON/);
    expect(() => hostCallFromBody(body([1, 2]), fail)).toThrow(/JSON object/);
    expect(() => hostCallFromBody(body({ op: 'llm_query', payload: {}, promptBytes: [2] }), fail)).toThrow(/after a newline/);
    expect(() => hostCallFromBody(body({ op: 'llm_query', payload: {} }, encoder.encode('hi')), fail)).toThrow(/no "promptBytes"/);
    expect(() => hostCallFromBody(body({ op: 'llm_query', payload: [], promptBytes: [2] }, encoder.encode('hi')), fail)).toThrow(/"payload"/);
    expect(() => hostCallFromBody(body({ op: 'llm_query', payload: {}, promptBytes: [3] }, encoder.encode('hi')), fail)).toThrow(/more than/);
  });
});
