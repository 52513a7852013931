/**
 * Start of the first Pyodide session in a NEW process: cold (no snapshot anywhere) against
 * restored from the snapshot a previous process saved on disk (`snapshotCacheDir`), in one run.
 *
 * Each sample is a fresh `node` process that creates a provider (no warm pool), times its first
 * `createSession()` and reports whether the interpreter was booted (`none`) or restored (`disk`).
 * The snapshot directory is a temporary one, removed at the end.
 *
 * Run after building (it imports dist/):
 *   pnpm -F @rlms/sandbox-pyodide build && node packages/sandbox-pyodide/bench/snapshot-cache.ts
 * Options: --runs N (samples of each kind, default 3), --json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Sample {
  /** `createSession()` of the first session, in ms. */
  readonly startMs: number;
  /** From the process's start to that session being ready (Node start and imports included), in ms. */
  readonly processMs: number;
  readonly snapshot: string;
  /** A second `createSession()` in the same process (restores the snapshot held in memory), in ms. */
  readonly memoryMs: number;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    child: { type: 'string' },
    runtime: { type: 'string' },
  },
});

if (values.child !== undefined) {
  // One sample: a new process, a new provider.
  const { createPyodideSandbox } = await import('../dist/index.js');
  const cacheDir = values.child === 'off' ? false : values.child;
  const provider = createPyodideSandbox({
    warmPoolSize: 0,
    snapshotCacheDir: cacheDir,
    onWarning: (message) => console.error(message),
    // The same runtime for every sample, even if the source tree changes meanwhile (it is part of the key).
    ...(values.runtime === undefined ? {} : { runtimeSource: readFileSync(values.runtime, 'utf8') }),
  });
  const start = performance.now();
  const session = await provider.createSession({ host: { call: async () => null } });
  const startMs = performance.now() - start;
  const processMs = performance.now();
  const check = await session.execute('print(sum(range(10)))');
  if (check.stdout !== '45\n') throw new Error(`unexpected output ${JSON.stringify(check.stdout)}`);
  await session.destroy();
  const again = performance.now();
  const second = await provider.createSession({ host: { call: async () => null } });
  const memoryMs = performance.now() - again;
  await second.destroy();
  await provider.close(); // writes the snapshot (cold start with a cache directory)
  process.stdout.write(`${JSON.stringify({ startMs, processMs, snapshot: session.snapshot, memoryMs } satisfies Sample)}\n`);
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'rlms-snapshot-bench-'));
const runtime = join(dir, 'rlms_runtime.py');
const { readRuntimeSource } = await import('@rlms/core/sandbox');
writeFileSync(runtime, readRuntimeSource());
const sample = (cacheDir: string): Sample =>
  JSON.parse(
    execFileSync(process.execPath, [self, '--child', cacheDir, '--runtime', runtime], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  ) as Sample;
const median = (numbers: number[]): number => [...numbers].sort((a, b) => a - b)[numbers.length >> 1]!;

const runs = Math.max(1, Number.parseInt(values.runs, 10));
try {
  const cold: Sample[] = [];
  const disk: Sample[] = [];
  // The first cold sample saves the snapshot; the others do not use the cache at all.
  cold.push(sample(join(dir, 'snapshots')));
  for (let index = 1; index < runs; index++) cold.push(sample('off'));
  for (let index = 0; index < runs; index++) disk.push(sample(join(dir, 'snapshots')));
  if (cold.some((entry) => entry.snapshot !== 'none') || disk.some((entry) => entry.snapshot !== 'disk')) {
    throw new Error(`unexpected snapshot sources: cold ${cold.map((e) => e.snapshot)}, disk ${disk.map((e) => e.snapshot)}`);
  }
  const coldMs = median(cold.map((entry) => entry.startMs));
  const diskMs = median(disk.map((entry) => entry.startMs));
  const result = {
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    runs,
    cold: { startMs: coldMs, processMs: median(cold.map((entry) => entry.processMs)), samples: cold.map((entry) => Math.round(entry.startMs)) },
    disk: { startMs: diskMs, processMs: median(disk.map((entry) => entry.processMs)), samples: disk.map((entry) => Math.round(entry.startMs)) },
    ratio: coldMs / diskMs,
    memoryMs: median([...cold, ...disk].map((entry) => entry.memoryMs)),
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`Pyodide first session in a new process (node ${result.node}, ${result.platform}, median of ${runs})`);
    console.log(`cold (no snapshot)      ${coldMs.toFixed(0).padStart(6)} ms  (process start → ready ${result.cold.processMs.toFixed(0)} ms; samples ${result.cold.samples.join(', ')})`);
    console.log(`from the disk snapshot  ${diskMs.toFixed(0).padStart(6)} ms  (process start → ready ${result.disk.processMs.toFixed(0)} ms; samples ${result.disk.samples.join(', ')})`);
    console.log(`ratio                   ${result.ratio.toFixed(1)}× faster`);
    console.log(`(floor: a later session of the same process, restored from memory: ${result.memoryMs.toFixed(0)} ms)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
