import { RLMEventNarrator } from '@rlms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, readSseLines, startFixture, type Fixture } from './server-fixture.js';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('SSE progress comments', () => {
  it("are core's lines for the run's events, one per batch of sub-calls", async () => {
    fixture = await startFixture({ rootReply: () => '```repl\nanswers = llm_query_batched(["a", "b", "c"])\nFINAL(" ".join(answers))\n```' });
    const response = await fetch(`${fixture.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'rlm', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    const comments = (await readSseLines(response)).filter((line) => line.startsWith(': [rlm] ')).map((line) => line.slice(2));
    const narrator = new RLMEventNarrator({ label: 'rlm' });
    const expected = fixture.events.map((event) => narrator.describe(event)).filter((line) => line !== undefined);
    expect(comments).toEqual(expected);
    expect(comments.filter((line) => line.startsWith('[rlm] Sub-calls started (llm_query_batched to '))).toHaveLength(1);
    expect(comments.filter((line) => /^\[rlm\] 3 sub-calls to \S+ finished in /.test(line))).toHaveLength(1);
    expect(comments.at(-1)).toBe('[rlm] Run completed after 1 iteration and 3 sub-calls.');
  });
});
