import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { createProcessMark, findMarkedProcesses } from '../src/leak-check.ts';
const mark = createProcessMark();
const tools = {
  circ: { execute: () => { const a: any = {}; a.a = a; return a; } },
  big: { execute: () => 10n },
  throwstr: { execute: () => { throw 'plain string'; } },
  never: { execute: (_a: unknown, { abortSignal }: { abortSignal: AbortSignal }) => new Promise((_, rej) => abortSignal.addEventListener('abort', () => { console.log('tool aborted'); rej(new Error('aborted')); })) },
};
const cases: Record<string, string[]> = {
  escape: ["```repl\nimport subprocess\np = subprocess.Popen(['sleep','300'], start_new_session=True)\nprint(p.pid)\n```", "```repl\nFINAL('ok')\n```"],
  tools: ["```repl\nfor name in ['circ', 'big', 'throwstr']:\n    try:\n        print(name, globals()[name]())\n    except Exception as e:\n        print(name, type(e).__name__, e)\n```", "```repl\nFINAL('ok')\n```"],
  never: ["```repl\nnever()\n```", "```repl\nFINAL('ok')\n```"],
  deadlock: ["```repl\nimport threading\na, b = threading.Lock(), threading.Lock()\ndef t1():\n    with a:\n        llm_query('one')\n        with b: pass\ndef t2():\n    with b:\n        llm_query('two')\n        with a: pass\nth = [threading.Thread(target=t1), threading.Thread(target=t2)]\nfor t in th: t.start()\nfor t in th: t.join()\n```", "```repl\nFINAL(threading.active_count())\n```"],
};
const sub = new MockModel({ replies: ({ prompt }) => ({ text: 'sub ' + prompt, delayMs: 200 }) });
for (const [name, make] of [['local', () => createLocalSandbox({ env: mark.env })], ['pyodide', () => createPyodideSandbox()]] as const) {
  const sandbox = make();
  for (const [id, replies] of Object.entries(cases)) {
    if (name === 'pyodide' && (id === 'escape' || id === 'deadlock')) continue;
    const model = new MockModel({ replies: [...replies, 'FINAL(exhausted)', 'FINAL(exhausted)'] });
    const rlm = createRLM({ model, subModel: sub, sandbox, maxIterations: 4, executionTimeoutMs: 1500, tools });
    const t = Date.now();
    const r = await rlm.query({ context: 'hello', question: 'q' });
    console.log(name, id, r.status, JSON.stringify(r.answer).slice(0, 80), r.iterations, Date.now() - t, 'ms', JSON.stringify(r.trajectory.steps[0]?.observation.feedback).slice(0, 500), r.statusDetail ?? '');
    console.log('marked after run', findMarkedProcesses(mark));
  }
  await sandbox.close?.();
}
await new Promise((r) => setTimeout(r, 1000));
console.log('marked at end', findMarkedProcesses(mark));
for (const p of findMarkedProcesses(mark)) process.kill(p.pid, 'SIGKILL');
