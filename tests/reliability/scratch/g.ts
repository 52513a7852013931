import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
const sandbox = createLocalSandbox();
// batched big outputs
{
  const sub = new MockModel({ modelId: 'sub', replies: () => ({ text: 'y'.repeat(4000), costUsd: 0.01, delayMs: 50 }) });
  const root = new MockModel({ modelId: 'root', replies: ({ index }) => index === 0 ? '```repl\nanswers = llm_query_batched([f"q{i}" for i in range(64)])\nprint(sum(a.startswith("Error") for a in answers))\n```' : 'FINAL(done)' });
  const rlm = createRLM({ model: root, subModel: sub, sandbox, maxTotalTokens: 5000, maxIterations: 5 });
  const r = await rlm.query({ context: 'c', question: 'q' });
  console.log('tokens', r.status, r.usage.total.totalTokens, r.usage.total.calls, r.trajectory.steps.map(s => [s.kind, s.action.usage, s.observation.feedback.slice(0, 100)]));
}
{
  const sub = new MockModel({ modelId: 'sub', replies: () => ({ text: 'y'.repeat(40), costUsd: 0.01, delayMs: 50 }) });
  const root = new MockModel({ modelId: 'root', replies: ({ index }) => index === 0 ? '```repl\nanswers = llm_query_batched([f"q{i}" for i in range(64)])\nprint(sum(a.startswith("Error") for a in answers))\n```' : 'FINAL(done)' });
  const rlm = createRLM({ model: root, subModel: sub, sandbox, maxCostUsd: 0.05, maxIterations: 5 });
  const r = await rlm.query({ context: 'c', question: 'q' });
  console.log('cost', r.status, r.costUsd, r.usage.total.calls, r.trajectory.steps.map(s => [s.kind, s.observation.feedback.slice(0, 100)]));
}
{
  const root = new MockModel({ modelId: 'root', usage: 'none', replies: () => '```repl\nprint("' + 'z'.repeat(4000) + '")\n```' });
  const rlm = createRLM({ model: root, sandbox, maxTotalTokens: 5000, maxIterations: 8 });
  const r = await rlm.query({ context: 'c', question: 'q' });
  console.log('nousage', r.status, r.iterations, r.usage.total.totalTokens, r.usage.total.calls);
}
await sandbox.close();
