import { loadSandboxes, closeSandboxes } from './dist/sandboxes/load-sandboxes.js';
import { startScriptedServer } from './dist/server/scripted-server.js';
import { measureIterationOverhead } from './dist/overhead/iteration-overhead.js';
import { measureHostCallRoundTrip } from './dist/overhead/host-call-round-trip.js';
import { measureBatchedSubcalls } from './dist/overhead/batched-subcalls.js';
import { makeWorkload } from './dist/overhead/workload.js';
const t = performance.now();
const sbs = await loadSandboxes(['local', 'pyodide', 'docker']);
console.log(sbs.map((s) => [s.name, s.available, s.reason]), performance.now() - t);
const workload = makeWorkload(256 * 1024, 32768);
const server = await startScriptedServer({ latencyMs: 20, chunkChars: workload.chunkChars });
console.log(server.mode, workload.expected);
for (const s of sbs.filter((s) => s.available)) {
  const t0 = performance.now();
  const r = await measureIterationOverhead({ sandbox: s.provider, server, workload, latencyMs: 20, runs: 5 });
  console.log(s.name, JSON.stringify({ ...r, }, (k, v) => typeof v === 'number' ? Math.round(v * 100) / 100 : v), performance.now() - t0);
  const h = await measureHostCallRoundTrip({ sandbox: s.provider, calls: 200 });
  console.log(JSON.stringify(h));
}
await server.close();
const server2 = await startScriptedServer({ latencyMs: 100, chunkChars: 64 });
const b = await measureBatchedSubcalls({ sandbox: sbs[0].provider, server: server2, latencyMs: 100, sizes: [64, 256], concurrency: 16, repeats: 1 });
console.log(JSON.stringify(b));
await server2.close();
await closeSandboxes(sbs);
