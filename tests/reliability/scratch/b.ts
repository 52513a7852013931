import { loadCorpus, runCase } from '../src/corpus.ts';
import { createLocalSandbox } from '@rlms/sandbox-local';
const corpus = loadCorpus();
const sb = createLocalSandbox();
for (const id of ['lone-surrogate-in-final']) {
  const item = corpus.cases.find((c) => c.id === id)!;
  const o = await runCase(corpus, item, sb);
  console.log(o.result.status, JSON.stringify(o.result.answer), o.result.trajectory.steps.map((s) => s.observation.feedback));
}
await sb.close();
