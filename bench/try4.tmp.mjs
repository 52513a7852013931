import { startScriptedServer } from './dist/server/scripted-server.js';
import { axImplementation } from './dist/peers/implementations.js';
import { makeWorkload } from './dist/overhead/workload.js';
const workload = makeWorkload(256 * 1024, 32768);
const server = await startScriptedServer({ latencyMs: 20, chunkChars: workload.chunkChars, inProcess: process.argv[2] === 'in' });
const impl = await axImplementation(server.baseURL, 16);
for (let i = 0; i < 3; i++) {
  let a; try { a = await impl.run(workload.question, workload.text); } catch (e) { a = 'ERR ' + e.message.slice(0, 300); }
  const act = await server.take();
  console.log('answer', a, act.calls.map((c) => c.dialect).join(','), act.failures);
}
await server.close();
