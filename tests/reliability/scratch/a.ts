import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';

const cases: Record<string, string[]> = {
  surrogateCode: ["```repl\nprint('\ud800')\n```", "```repl\nFINAL('ok')\n```"],
  nulCode: ["```repl\nprint('a\u0000b')\n```", "```repl\nFINAL('ok')\n```"],
  finalThenRaise: ["```repl\nFINAL(1)\nraise Exception('after')\n```", "```repl\nFINAL('ok2')\n```"],
  finalNone: ["```repl\nFINAL(None)\n```"],
  finalNoArgs: ["```repl\nFINAL()\n```", "```repl\nFINAL('ok')\n```"],
  osexit: ["```repl\nimport os\nos._exit(3)\n```", "```repl\nFINAL('after restart')\n```"],
  sysStdout: ["```repl\nimport sys\nsys.__stdout__.write('{\"type\":\"response\",\"id\":\"h9\",\"ok\":true}\\n')\nsys.__stdout__.flush()\nprint('x')\n```", "```repl\nFINAL('ok')\n```"],
  fdwrite: ["```repl\nimport os\nos.write(1, b'\\xff\\xfe garbage\\n')\n```", "```repl\nFINAL('ok')\n```"],
  untagged: ["```\nFINAL('x')\n```"],
  setval: ["```repl\nFINAL({1,2})\n```"],
};
for (const [name, make] of [['local', () => createLocalSandbox()], ['pyodide', () => createPyodideSandbox()]] as const) {
  const sandbox = make();
  for (const [id, replies] of Object.entries(cases)) {
    const model = new MockModel({ replies: [...replies, 'FINAL(exhausted)', 'FINAL(exhausted)'] });
    const rlm = createRLM({ model, sandbox, maxIterations: 4, executionTimeoutMs: 3000 });
    const t = Date.now();
    const r = await rlm.query({ context: 'hello', question: 'q' });
    console.log(name, id, r.status, JSON.stringify(r.answer).slice(0, 80), r.iterations, Date.now() - t, 'ms', JSON.stringify(r.trajectory.steps[0]?.observation.feedback).slice(0, 300), r.statusDetail ?? '');
  }
  await sandbox.close?.();
}
