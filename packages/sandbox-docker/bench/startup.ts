/**
 * Docker sandbox start-up and overhead benchmark (real engine).
 *
 *   pnpm -F @rlms/sandbox-docker build && node packages/sandbox-docker/bench/startup.ts [--json] [--sessions N] [--executions N]
 *
 * Reports, as median / p90 / max in milliseconds:
 * - session start: new container (create, start, copy runtime, runtime ready) and, with `reuse`,
 *   from an idle container; and `destroy()`;
 * - context load of 10 MB and 100 MB (text): putArchive + decode in Python;
 * - per-execution overhead: round trip of `execute("pass")`, and of one `llm_query` host call.
 *
 * Environment: RLMS_DOCKER_IMAGE (default rlms-python:3.11, built by .ci/setup-docker.sh), DOCKER_HOST.
 */
import { createDockerSandbox } from '../dist/index.js';
import type { HostBridge } from '@rlms/core';

interface Stats {
  readonly name: string;
  readonly samples: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const numberArg = (flag: string, fallback: number): number => {
  const index = args.indexOf(flag);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const sessions = numberArg('--sessions', 10);
const executions = numberArg('--executions', 200);
const image = process.env['RLMS_DOCKER_IMAGE'] || 'rlms-python:3.11';
const host: HostBridge = { call: async (request) => (request.op === 'llm_query' ? 'ok' : null) };

function summarize(name: string, samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (ms: number): number => Math.round(ms * 100) / 100;
  return { name, samples: samples.length, medianMs: round(at(0.5)), p90Ms: round(at(0.9)), maxMs: round(sorted.at(-1) ?? Number.NaN) };
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

async function main(): Promise<void> {
  const results: Stats[] = [];
  const log = (line: string): void => {
    if (!json) console.log(line);
  };
  log(`Docker sandbox benchmark: image ${image}, ${sessions} sessions, ${executions} executions`);

  // Session start and destroy, one new container each.
  const fresh = createDockerSandbox({ image, pull: 'never' });
  const starts: number[] = [];
  const destroys: number[] = [];
  await (await fresh.createSession({ host })).destroy(); // warm-up: image check, page cache
  for (let i = 0; i < sessions; i++) {
    const [startMs, session] = await time(() => fresh.createSession({ host }));
    starts.push(startMs);
    const [destroyMs] = await time(() => session.destroy());
    destroys.push(destroyMs);
  }
  results.push(summarize('session start (new container)', starts), summarize('session destroy', destroys));

  // Session start from an idle container (reuse).
  const pooled = createDockerSandbox({ image, pull: 'never', reuse: { maxIdle: 1 } });
  await (await pooled.createSession({ host })).destroy();
  const reusedStarts: number[] = [];
  for (let i = 0; i < sessions; i++) {
    const [startMs, session] = await time(() => pooled.createSession({ host }));
    reusedStarts.push(startMs);
    await session.destroy();
  }
  results.push(summarize('session start (reuse: idle container)', reusedStarts));
  await pooled.close();

  // Context loads and per-execution overhead, each context in its own session.
  for (const megabytes of [10, 100]) {
    const bytes = new Uint8Array(megabytes * 1024 * 1024).fill(0x61);
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const session = await fresh.createSession({ host });
      try {
        const [loadMs] = await time(() => session.loadContext({ format: 'text', bytes }));
        loads.push(loadMs);
      } finally {
        await session.destroy();
      }
    }
    results.push(summarize(`context load ${megabytes} MB (text)`, loads));
  }

  const session = await fresh.createSession({ host });
  try {
    const plain: number[] = [];
    const withCall: number[] = [];
    for (let i = 0; i < executions; i++) plain.push((await time(() => session.execute('pass')))[0]);
    for (let i = 0; i < executions; i++) withCall.push((await time(() => session.execute('llm_query("x")')))[0]);
    results.push(summarize('execute("pass") round trip', plain), summarize('execute with one llm_query', withCall));
  } finally {
    await session.destroy();
  }
  await fresh.close();

  if (json) {
    console.log(JSON.stringify({ benchmark: 'sandbox-docker/startup', image, results }, null, 2));
    return;
  }
  const width = Math.max(...results.map((row) => row.name.length));
  console.log(`${'measure'.padEnd(width)}  samples  median ms      p90 ms      max ms`);
  for (const row of results) {
    console.log(
      `${row.name.padEnd(width)}  ${String(row.samples).padStart(7)}  ${row.medianMs.toFixed(2).padStart(9)}  ${row.p90Ms
        .toFixed(2)
        .padStart(10)}  ${row.maxMs.toFixed(2).padStart(10)}`,
    );
  }
}

await main();
