import { loadSandboxes, closeSandboxes } from './dist/sandboxes/load-sandboxes.js';
import { runSideBySide } from './dist/peers/side-by-side.js';
import { makeWorkload } from './dist/overhead/workload.js';
const sbs = await loadSandboxes(['local']);
const workload = makeWorkload(256 * 1024, 32768);
const r = await runSideBySide({ sandboxes: sbs.map((s) => ({ name: s.name, provider: s.provider })), workload, latencyMs: 20, runs: 3, batchPrompts: 64, concurrency: 16, log: console.log });
console.log(JSON.stringify(r, (k, v) => typeof v === 'number' ? Math.round(v * 100) / 100 : v, 1));
await closeSandboxes(sbs);
