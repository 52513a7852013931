/**
 * Concurrency limits under fan-out: `llm_query_batched` and `rlm_query_batched` over many prompts
 * must not start more work at once than `maxSubcallConcurrency` allows, or one model-written line
 * (`rlm_query_batched(chunks)` over 1,000 chunks) starts 1,000 sandboxes and model calls at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRLM, type CreateSessionOptions, type SandboxSessionV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createProcessMark, findMarkedProcesses } from '../src/leak-check.ts';
import { spySandbox } from '../src/session-spy.ts';

const mark = createProcessMark();
const local = createLocalSandbox({ env: mark.env });
afterAll(async () => {
  await local.close();
  expect(findMarkedProcesses(mark)).toEqual([]);
});

const LIMIT = 4;
const FAN_OUT = 24;

/** A spy that also records the most sessions alive at once. */
function countingSandbox() {
  const spy = spySandbox(local);
  let maxLive = 0;
  const create = spy.createSession.bind(spy);
  return Object.assign(spy, {
    get maxLive() {
      return maxLive;
    },
    async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
      const session = await create(options);
      maxLive = Math.max(maxLive, spy.live);
      return session;
    },
  });
}

describe('fan-out stays within maxSubcallConcurrency', () => {
  it('llm_query_batched: at most maxSubcallConcurrency sub-model calls in flight', async () => {
    const sub = new MockModel({ modelId: 'fan-sub', replies: () => ({ text: 'ok', delayMs: 40 }) });
    const root = new MockModel({
      modelId: 'fan-root',
      replies: ({ index }) => (index === 0 ? `\`\`\`repl\nr = llm_query_batched([f"p{i}" for i in range(${FAN_OUT})])\nprint(len(r))\n\`\`\`` : 'FINAL(done)'),
    });
    const result = await createRLM({ model: root, subModel: sub, sandbox: local, maxSubcallConcurrency: LIMIT }).query({ context: 'x', question: 'fan out' });
    expect(result.status).toBe('completed');
    expect(sub.calls.length).toBe(FAN_OUT);
    expect(sub.maxInFlight).toBeLessThanOrEqual(LIMIT);
  });

  it('rlm_query_batched: at most maxSubcallConcurrency child runs (sandboxes, model calls) at once', async () => {
    const sandbox = countingSandbox();
    const root = new MockModel({
      modelId: 'fan-root',
      replies: ({ messages }) => {
        const first = messages.find((message) => message.role === 'user')?.content ?? '';
        if (first.includes('Question: fan out')) {
          return messages.length <= 2 ? `\`\`\`repl\nr = rlm_query_batched([f"child {i}" for i in range(${FAN_OUT})])\nprint(len(r))\n\`\`\`` : 'FINAL(done)';
        }
        return { text: '```repl\nimport time\ntime.sleep(0.3)\nFINAL("child done")\n```', delayMs: 20 };
      },
    });
    const result = await createRLM({ model: root, sandbox, maxDepth: 2, maxSubcallConcurrency: LIMIT }).query({ context: 'x', question: 'fan out' });
    expect(result.status).toBe('completed');
    expect(sandbox.sessions.length).toBe(FAN_OUT + 1);
    expect(sandbox.live).toBe(0);
    expect(root.maxInFlight).toBeLessThanOrEqual(LIMIT);
    expect(sandbox.maxLive).toBeLessThanOrEqual(LIMIT + 1);
  });
});
