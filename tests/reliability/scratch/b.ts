import { loadCorpus, runCase, checkOutcome, expectationFor } from '../src/corpus.ts';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createRLM } from '@rlms/core';
import { serverModel, startScriptedServer } from '../src/scripted-server.ts';
const corpus = loadCorpus();
const sb = createLocalSandbox();
for (const item of corpus.cases.filter((c) => c.knownIssue)) {
  const o = await runCase(corpus, item, sb);
  console.log(item.id, checkOutcome(o, expectationFor(item, 'local')));
}
const server = await startScriptedServer({ root: ['```repl\nprint(1)\n```'], faultRules: [{ when: () => true, fault: { type: 'hang' } }] });
const rlm = createRLM({ model: serverModel(server, { timeoutMs: 300, maxRetries: 0 }), sandbox: sb, timeoutMs: 1000 });
const r = await rlm.query({ context: 'x', question: 'q' });
console.log('timeout case:', r.status, r.statusDetail);
await server.close();
await sb.close();
