/**
 * Startup and throughput benchmark of @rlms/sandbox-pyodide.
 *
 * Measures, in one process:
 * - cold start: the first session (boots CPython, takes the memory snapshot);
 * - warm start from the snapshot (no pool) and from the warm pool;
 * - context load time and peak RSS (host and sandbox process) for 10 MB and 100 MB text contexts;
 * - per-execution overhead of a trivial cell and of a host call;
 * - resident memory of one idle sandbox process and of the host.
 *
 * Run after building (it imports dist/):
 *   pnpm -F @rlms/sandbox-pyodide build && node packages/sandbox-pyodide/bench/startup.ts
 * (Node >= 22.18 runs .ts directly; on older 22.x add --experimental-strip-types.)
 * Options: --runs N (trivial cells, default 200), --json (print JSON instead of a table).
 */
import { parseArgs } from 'node:util';
import type { HostBridge, SandboxSessionV1 } from '@rlms/core';
import { createPyodideSandbox } from '../dist/index.js';
import { sandboxProcessOf } from '../dist/testing/index.js';

const MB = 1_000_000;
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } },
});
const runs = Number.parseInt(values.runs, 10);

const host: HostBridge = {
  async call(request) {
    return request.op === 'llm_query' ? `echo:${request.prompt.length}` : null;
  },
};

interface Row {
  readonly metric: string;
  readonly value: string;
  readonly note?: string;
}
const rows: Row[] = [];

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** Samples the host's RSS every 5 ms while `work` runs (the sandbox process has its own, reported apart). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakMiB: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

function textContext(bytes: number): Uint8Array {
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\n';
  const encoded = new TextEncoder().encode(line);
  const out = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += encoded.length) out.set(encoded.subarray(0, Math.min(encoded.length, bytes - at)), at);
  return out;
}

const fmt = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

async function main(): Promise<void> {
  const noPool = createPyodideSandbox({ warmPoolSize: 0 });
  const cold = await timed(() => noPool.createSession({ host }));
  rows.push({ metric: 'cold start (first session)', value: fmt(cold.ms), note: 'boots CPython, takes the snapshot' });
  const fromSnapshot = await timed(() => noPool.createSession({ host }));
  rows.push({ metric: 'warm start (snapshot, no pool)', value: fmt(fromSnapshot.ms) });
  await fromSnapshot.value.destroy();

  const pooled = createPyodideSandbox({ warmPoolSize: 1 });
  const first = await pooled.createSession({ host });
  await new Promise((resolve) => setTimeout(resolve, 3000)); // let the pool fill (a restore takes ~1 s)
  const fromPool = await timed(() => pooled.createSession({ host }));
  rows.push({ metric: 'warm start (pooled worker)', value: fmt(fromPool.ms) });
  await Promise.all([first.destroy(), fromPool.value.destroy()]);
  await pooled.close();

  const session: SandboxSessionV1 = cold.value;
  for (const size of [10 * MB, 100 * MB]) {
    const fresh = await noPool.createSession({ host });
    const bytes = textContext(size);
    const baseline = process.memoryUsage.rss() / 1024 / 1024;
    const load = await withPeakRss(() => timed(() => fresh.loadContext({ format: 'text', bytes })));
    const sandboxPeak = sandboxProcessOf(fresh).peakResidentBytes / 1024 / 1024;
    rows.push({
      metric: `load ${size / MB} MB text context`,
      value: fmt(load.value.ms),
      note: `host peak RSS ${load.peakMiB.toFixed(0)} MiB (+${(load.peakMiB - baseline).toFixed(0)} MiB); sandbox process peak ${sandboxPeak.toFixed(0)} MiB`,
    });
    await fresh.destroy();
  }

  await session.execute('pass');
  const idle = sandboxProcessOf(session).peakResidentBytes / 1024 / 1024;
  rows.push({ metric: 'sandbox process RSS (idle session)', value: `${idle.toFixed(0)} MiB`, note: 'peak seen by the watchdog' });
  rows.push({ metric: 'host RSS', value: `${(process.memoryUsage.rss() / 1024 / 1024).toFixed(0)} MiB`, note: 'this process, sessions alive' });
  const trivial = await timed(async () => {
    for (let index = 0; index < runs; index++) await session.execute('pass');
  });
  rows.push({ metric: 'trivial cell (execute "pass")', value: fmt(trivial.ms / runs), note: `mean of ${runs}` });
  const hostCalls = await timed(() => session.execute('for _ in range(100): llm_query("x")'));
  rows.push({ metric: 'host call round trip (llm_query)', value: fmt(hostCalls.ms / 100), note: 'mean of 100, echo host' });
  await session.destroy();
  await noPool.close();

  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const width = Math.max(...rows.map((row) => row.metric.length));
  const valueWidth = Math.max(...rows.map((row) => row.value.length));
  console.log(`@rlms/sandbox-pyodide startup bench (node ${process.version}, ${process.platform}/${process.arch})`);
  for (const row of rows) {
    console.log(`${row.metric.padEnd(width)}  ${row.value.padStart(valueWidth)}  ${row.note ?? ''}`.trimEnd());
  }
}

await main();
