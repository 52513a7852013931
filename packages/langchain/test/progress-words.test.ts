import { RLMEventNarrator, type RLMEvent } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { describe, expect, it } from 'vitest';
import { RLMChain, type RLMChainOutput } from '../src/index.js';
import { corpus, grepAndAskCode } from './helpers.js';

describe('RLMChain progress words', () => {
  it("streams core's line for each event it dispatches, one line for the batch of sub-calls", async () => {
    let root = 0;
    const model = new MockModel({ replies: (call) => (call.system === undefined ? 'a rule' : root++ === 0 ? grepAndAskCode('refund') : 'unused') });
    const chain = new RLMChain({ rlm: { model, sandbox: createLocalSandbox(), maxIterations: 2 }, documents: corpus() });
    const events: RLMEvent[] = [];
    const lines: string[] = [];
    for await (const entry of chain.streamEvents({ input: 'Refund window?' }, { version: 'v2' })) {
      if (entry.event === 'on_custom_event' && entry.name !== 'rlm:run-end') events.push(entry.data as RLMEvent);
      const chunk = entry.event === 'on_chain_stream' ? (entry.data.chunk as RLMChainOutput) : undefined;
      if (chunk?.progress !== undefined) lines.push(chunk.progress);
    }
    const narrator = new RLMEventNarrator();
    const expected = events.map((event) => narrator.describe(event)).filter((line) => line !== undefined).map((line) => `${line}\n`);
    expect(lines).toEqual(expected);
    expect(lines.filter((line) => line.startsWith('Sub-calls started (llm_query_batched to '))).toHaveLength(1);
    expect(lines.filter((line) => /^\d+ sub-calls? to \S+ finished in /.test(line))).toHaveLength(1);
  });
});
