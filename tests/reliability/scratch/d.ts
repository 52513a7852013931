import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
const cases: Record<string, string[]> = {
  stack: ["```repl\nimport sys\nsys.setrecursionlimit(10**7)\ndef f(n): return f(n+1)\nf(0)\n```", "```repl\nFINAL('ok')\n```"],
  mem: ["```repl\nkeep=1\nx = bytearray(1 << 30)\n```", "```repl\nFINAL(keep)\n```"],
  memgrow: ["```repl\nkeep=1\nchunks=[]\nwhile True: chunks.append(bytearray(16<<20))\n```", "```repl\nFINAL(keep)\n```"],
  ignore: ["```repl\nimport time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass\n```", "```repl\nFINAL('after')\n```"],
};
const sandbox = createPyodideSandbox({ memoryLimitMiB: 256, interruptGraceMs: 500 });
for (const [id, replies] of Object.entries(cases)) {
  const model = new MockModel({ replies: [...replies, 'FINAL(exhausted)', 'FINAL(exhausted)'] });
  let restarts = 0;
  const rlm = createRLM({ model, sandbox, maxIterations: 4, executionTimeoutMs: 1500 });
  const t = Date.now();
  const r = await rlm.query({ context: 'hello', question: 'q', onEvent: (e) => { if (e.type === 'sandbox-restart') { restarts++; console.log('restart', e.reason); } } });
  console.log(id, r.status, JSON.stringify(r.answer).slice(0, 80), r.iterations, Date.now() - t, 'ms', restarts, JSON.stringify(r.trajectory.steps[0]?.observation.feedback).slice(0, 400), r.statusDetail ?? '');
}
await sandbox.close();
