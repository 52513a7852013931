import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { memoryAfterGc } from '../src/leak-check.ts';
const sb = createPyodideSandbox({ warmPoolSize: 1 });
const host = { call: async () => null };
const mb = (b: number) => Math.round(b / 1e6);
console.log('start', mb(memoryAfterGc().rss));
let n = 0;
for (const batch of [5, 5, 10, 20, 20]) {
  for (let i = 0; i < batch; i++) {
    const s = await sb.createSession({ host });
    await s.loadContext({ format: 'text', bytes: new TextEncoder().encode('hello '.repeat(10000)) });
    await s.execute('x = context * 10\nprint(len(x))');
    await s.destroy();
    n++;
  }
  await new Promise((r) => setTimeout(r, 500));
  const m = memoryAfterGc();
  console.log(n, 'sessions: rss', mb(m.rss), 'external', mb(m.external), 'arrayBuffers', mb(m.arrayBuffers));
}
await sb.close();
await new Promise((r) => setTimeout(r, 1000));
const m = memoryAfterGc();
console.log('closed: rss', mb(m.rss), 'external', mb(m.external), 'arrayBuffers', mb(m.arrayBuffers));
