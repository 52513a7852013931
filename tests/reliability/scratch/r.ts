import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { spySandbox } from '../src/session-spy.ts';
const spy = spySandbox(createLocalSandbox());
let maxLive = 0;
const inner = spy.createSession.bind(spy);
(spy as any).createSession = async (o: any) => { const s = await inner(o); maxLive = Math.max(maxLive, spy.live); return s; };
const root = new MockModel({ modelId: 'r', replies: ({ messages }) => {
  const q = messages[1]!.content;
  if (q.includes('Question: top')) return messages.length <= 2 ? '```repl\nr = rlm_query_batched([f"child {i}" for i in range(40)])\nprint(len(r))\n```' : 'FINAL(done)';
  return { text: '```repl\nimport time\ntime.sleep(0.5)\nFINAL("c")\n```', delayMs: 10 };
} });
const rlm = createRLM({ model: root, sandbox: spy, maxDepth: 2, maxSubcallConcurrency: 4 });
const r = await rlm.query({ context: 'x', question: 'top' });
console.log(r.status, 'sessions', spy.sessions.length, 'max live', maxLive, 'root maxInFlight', root.maxInFlight);
await spy.close!();
