import { RLMEventNarrator, type RLMEvent } from '@rlms/core';
import { describe, expect, it } from 'vitest';
import { RLMQueryEngine, describeRLMEvent, type RLMProgressMetadata } from '../src/index.js';
import { CORPUS, RETRY_SCRIPT, scriptedRLM, useSandbox } from './helpers.js';

const sandbox = useSandbox();

describe('RLMQueryEngine progress words', () => {
  it("each progress chunk's message is core's line for its event", async () => {
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), RETRY_SCRIPT) });
    const progress: RLMProgressMetadata[] = [];
    const events: RLMEvent[] = [];
    const stream = await engine.query({ query: 'What retry policies do the services use?', stream: true, onEvent: (event) => events.push(event) });
    for await (const chunk of stream) {
      const metadata = chunk.metadata['rlmProgress'] as RLMProgressMetadata | undefined;
      if (metadata !== undefined) progress.push(metadata);
    }
    const narrator = new RLMEventNarrator();
    expect(progress.length).toBeGreaterThan(0);
    const lines = events.map((event) => narrator.describe(event)).filter((line) => line !== undefined);
    expect(progress.map(({ message }) => message)).toEqual(lines);
    expect(lines.filter((line) => /^3 sub-calls to \S+ finished in /.test(line))).toHaveLength(1);
    const iteration = progress.find(({ event }) => event.type === 'iteration-start')!;
    expect(iteration.message).toBe(describeRLMEvent(iteration.event));
  });
});
