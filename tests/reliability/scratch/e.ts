import { createLocalSandbox } from '@rlms/sandbox-local';
import { scriptedRun } from '../src/scripted-run.ts';
import { MockModel } from '@rlms/core/testing';
const deadlock = `\`\`\`repl
import threading, time
a, b = threading.Lock(), threading.Lock()
log = []
def one():
    with a:
        log.append(("one", llm_query("first")))
        try:
            with b: log.append("one got b")
        except BaseException as e:
            log.append(("one err", repr(e)))
def two():
    with b:
        log.append(("two", llm_query("second")))
        with a: log.append("two got a")
workers = [threading.Thread(target=one), threading.Thread(target=two)]
for w in workers: w.start()
for w in workers: w.join()
\`\`\``;
const sub = new MockModel({ modelId: 'slow-sub', replies: () => ({ text: 'ok', delayMs: 200 }) });
const sandbox = createLocalSandbox();
const o = await scriptedRun({ sandbox, replies: [deadlock, '```repl\nprint(log, [w.is_alive() for w in workers])\nFINAL(sum(w.is_alive() for w in workers))\n```'], settings: { subModel: sub, executionTimeoutMs: 1500 } });
console.log(o.result.answer, o.result.trajectory.steps.map(s => s.observation.feedback));
await sandbox.close();
