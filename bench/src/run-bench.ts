import { loadavg } from 'node:os';
import { BENCH_SECTIONS, FULL_PROFILE, QUICK_PROFILE, type BenchProfile, type BenchSection } from './bench-profile.js';
import { measureBatchedSubcalls, type BatchedSubcallsResult } from './overhead/batched-subcalls.js';
import { measureContextLoad, type ContextLoadResult } from './overhead/context-load.js';
import { measureHostCallRoundTrip, type HostCallRoundTripResult } from './overhead/host-call-round-trip.js';
import { measureIterationOverhead, type IterationOverheadResult } from './overhead/iteration-overhead.js';
import { measureScale, type ScaleResult } from './overhead/scale-run.js';
import { measureSessionStart, type SessionStartResult } from './overhead/session-start.js';
import { makeWorkload } from './overhead/workload.js';
import { runSideBySide, type SideBySideResult } from './peers/side-by-side.js';
import { closeSandboxes, loadSandboxes, SANDBOX_NAMES, type SandboxEntry, type SandboxName } from './sandboxes/load-sandboxes.js';
import { startScriptedServer } from './server/scripted-server.js';
import { createOracleModel } from './suites/oracle-model.js';
import { runSuite, type SuiteReport } from './suites/run-suite.js';
import { getSuite, SUITE_IDS } from './suites/suites.js';
import { machineInfo, type MachineInfo } from './util/machine-info.js';
import { runWholeRun, type WholeRunReport } from './whole-run/run-whole-run.js';

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** `'quick'` (default: a few minutes on 2 cores) or `'full'` (adds the 1 GB and 10M-token cases). */
  readonly profile?: 'quick' | 'full' | BenchProfile;
  /** Sections to run. Default: all. */
  readonly sections?: readonly BenchSection[];
  /** Sandboxes to measure. Default: local, pyodide, docker (each skipped with a reason when not available). */
  readonly sandboxes?: readonly SandboxName[];
  /** Overrides the profile's model latency for the overhead, scale and side-by-side workloads, ms. */
  readonly latencyMs?: number;
  /** Docker image (default `RLMS_DOCKER_IMAGE` or `rlms-python:3.11`). */
  readonly dockerImage?: string;
  /** Write RESULTS.md, SVGs and JSON here. Default: this package's folder (`bench/`). `false` writes nothing. */
  readonly outDir?: string | false;
  /** The command line to print in RESULTS.md. Default `pnpm bench` (+ `--full`). */
  readonly command?: string;
  /** Run the scripted model servers in this process (tests). Default false. */
  readonly inProcessServer?: boolean;
  /** Progress lines. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** A section that failed, and why. */
export interface BenchError {
  readonly section: BenchSection;
  readonly sandbox?: string;
  readonly error: string;
}

/** Everything one benchmark run measured. */
export interface BenchReport {
  readonly profile: BenchProfile;
  readonly command: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  /** 1-minute load average at start and end (other work on the machine skews timings). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly sandboxes: readonly Pick<SandboxEntry, 'name' | 'available' | 'reason' | 'description'>[];
  readonly overhead: readonly IterationOverheadResult[];
  readonly hostCall: readonly HostCallRoundTripResult[];
  readonly batched: readonly BatchedSubcallsResult[];
  readonly contextLoad: readonly ContextLoadResult[];
  readonly sessionStart: readonly SessionStartResult[];
  readonly scale: readonly ScaleResult[];
  readonly sideBySide?: SideBySideResult;
  readonly suites: readonly SuiteReport[];
  /** The whole-run scenario (real CLI, 1/10/100 MB); its RESULTS.md section is `whole-run`. */
  readonly wholeRun?: WholeRunReport;
  readonly errors: readonly BenchError[];
  readonly sections: readonly BenchSection[];
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 400);
}

/**
 * Runs the benchmarks (`pnpm bench`): engine overhead per sandbox, host-call round trips, batched
 * sub-calls against the ideal, context load time and memory, session start, scale to millions of
 * tokens, the side-by-side with `@ax-llm/ax` and `recursive-llm-ts`, and the task-suite harness
 * check with the oracle model. Never throws for a failing section: it is listed in `errors`.
 * Writes `RESULTS.md`, `results/*.svg` and `results/latest.json` unless `outDir` is `false`.
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const base = typeof options.profile === 'object' ? options.profile : options.profile === 'full' ? FULL_PROFILE : QUICK_PROFILE;
  const profile: BenchProfile = options.latencyMs === undefined ? base : { ...base, latencyMs: options.latencyMs };
  const sections = new Set(options.sections ?? BENCH_SECTIONS);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  const errors: BenchError[] = [];
  const attempt = async <T>(section: BenchSection, sandbox: string | undefined, work: () => Promise<T>): Promise<T | undefined> => {
    log(`bench: ${section}${sandbox === undefined ? '' : ` (${sandbox})`}`);
    try {
      return await work();
    } catch (error) {
      errors.push({ section, ...(sandbox === undefined ? {} : { sandbox }), error: errorText(error) });
      log(`bench: ${section}${sandbox === undefined ? '' : ` (${sandbox})`} failed: ${errorText(error)}`);
      return undefined;
    }
  };
  log(`bench: ${profile.name} profile; checking sandboxes`);
  const entries = await loadSandboxes(options.sandboxes ?? SANDBOX_NAMES, options.dockerImage === undefined ? {} : { dockerImage: options.dockerImage });
  for (const entry of entries) log(`bench: sandbox ${entry.name}: ${entry.available ? 'available' : `not available (${entry.reason})`}`);
  const available = entries.filter((entry): entry is SandboxEntry & { provider: NonNullable<SandboxEntry['provider']> } => entry.available && entry.provider !== undefined);
  const serverMode = options.inProcessServer === true ? { inProcess: true } : {};
  const overhead: IterationOverheadResult[] = [];
  const hostCall: HostCallRoundTripResult[] = [];
  const batched: BatchedSubcallsResult[] = [];
  const contextLoad: ContextLoadResult[] = [];
  const sessionStart: SessionStartResult[] = [];
  const scale: ScaleResult[] = [];
  const suites: SuiteReport[] = [];
  let sideBySide: SideBySideResult | undefined;
  let wholeRun: WholeRunReport | undefined;
  try {
    const workload = makeWorkload(profile.overhead.contextBytes, profile.overhead.chunkChars);
    if (sections.has('overhead')) {
      const server = await startScriptedServer({ latencyMs: profile.latencyMs, chunkChars: workload.chunkChars, ...serverMode });
      try {
        for (const entry of available) {
          const result = await attempt('overhead', entry.name, () =>
            measureIterationOverhead({ sandbox: entry.provider, server, workload, latencyMs: profile.latencyMs, runs: profile.overhead.runs, warmupRuns: profile.overhead.warmupRuns }),
          );
          if (result !== undefined) overhead.push(result);
        }
      } finally {
        await server.close();
      }
    }
    if (sections.has('host-call')) {
      for (const entry of available) {
        const result = await attempt('host-call', entry.name, () => measureHostCallRoundTrip({ sandbox: entry.provider, calls: profile.hostCall.calls }));
        if (result !== undefined) hostCall.push(result);
      }
    }
    if (sections.has('batched')) {
      const server = await startScriptedServer({ latencyMs: profile.batched.latencyMs, chunkChars: 64, ...serverMode });
      try {
        for (const entry of available) {
          const result = await attempt('batched', entry.name, () =>
            measureBatchedSubcalls({ sandbox: entry.provider, server, latencyMs: profile.batched.latencyMs, sizes: profile.batched.sizes, concurrency: profile.batched.concurrency, repeats: profile.batched.repeats }),
          );
          if (result !== undefined) batched.push(result);
        }
      } finally {
        await server.close();
      }
    }
    if (sections.has('context-load')) {
      for (const entry of available) {
        const result = await attempt('context-load', entry.name, () => measureContextLoad({ name: entry.name, sandbox: entry.provider, sizes: profile.contextLoad[entry.name] }));
        if (result !== undefined) contextLoad.push(result);
      }
    }
    if (sections.has('session-start')) {
      for (const entry of available) {
        const variants: ('default' | 'reuse')[] = entry.name === 'docker' ? ['default', 'reuse'] : ['default'];
        for (const variant of variants) {
          const result = await attempt('session-start', entry.name, () =>
            measureSessionStart({
              name: entry.name,
              variant,
              provider: entry.provider,
              ...profile.sessionStart,
              ...(options.dockerImage === undefined ? {} : { dockerImage: options.dockerImage }),
            }),
          );
          if (result !== undefined) sessionStart.push(result);
        }
      }
    }
    if (sections.has('scale')) {
      for (const entry of available) {
        const sizes = profile.scale.sizesTokens[entry.name];
        if (sizes.length === 0) continue;
        const result = await attempt('scale', entry.name, () =>
          measureScale({ name: entry.name, sandbox: entry.provider, sizesTokens: sizes, chunkChars: profile.scale.chunkChars, latencyMs: profile.latencyMs, ...(profile.scale.pauseMs === undefined ? {} : { pauseMs: profile.scale.pauseMs }), ...(profile.scale.repeats === undefined ? {} : { repeats: profile.scale.repeats }), ...(options.inProcessServer === true ? { inProcessServer: true } : {}) }),
        );
        if (result !== undefined) scale.push(result);
      }
    }
    if (sections.has('side-by-side')) {
      sideBySide = await attempt('side-by-side', undefined, () =>
        runSideBySide({
          sandboxes: available.filter((entry) => profile.sideBySide.rlmsSandboxes.includes(entry.name)).map((entry) => ({ name: entry.name, provider: entry.provider })),
          workload,
          latencyMs: profile.latencyMs,
          runs: profile.sideBySide.runs,
          warmupRuns: profile.sideBySide.warmupRuns,
          batchPrompts: profile.sideBySide.batchPrompts,
          batchLatencyMs: profile.batched.latencyMs,
          concurrency: profile.batched.concurrency,
          log,
          ...serverMode,
        }),
      );
    }
    if (sections.has('suites')) {
      const sandbox = available.find((entry) => entry.name === 'local') ?? available[0];
      for (const id of SUITE_IDS) {
        if (sandbox === undefined) break;
        const result = await attempt('suites', id, async () => {
          const suite = getSuite(id);
          const sizes = profile.suites.sizes[id] ?? [];
          const tasks = sizes.flatMap((sizeTokens) => suite.generate({ sizeTokens, count: profile.suites.tasksPerSize, seed: 1 }));
          return runSuite({ suite, model: createOracleModel(suite, tasks), sandbox: sandbox.provider, sizes, tasksPerSize: profile.suites.tasksPerSize });
        });
        if (result !== undefined) suites.push(result);
      }
    }
    const wholeRunSizes = profile.wholeRun?.sizesMB ?? [];
    if (sections.has('whole-run') && wholeRunSizes.length > 0) {
      // Its own child processes (the real CLI); it checks Docker itself and reports a skip with the reason.
      wholeRun = await attempt('whole-run', undefined, () =>
        runWholeRun({ sizesMB: wholeRunSizes, repeats: profile.wholeRun?.repeats ?? 1, sandboxes: options.sandboxes ?? SANDBOX_NAMES, log, ...(options.command === undefined ? {} : { command: options.command }) }),
      );
      for (const row of wholeRun?.rows ?? []) {
        if (!row.correct) errors.push({ section: 'whole-run', sandbox: row.implementation === 'reference' ? 'python-reference' : row.sandbox, error: `${row.sizeMB} MB: ${row.error ?? 'wrong answer'}` });
      }
    }
  } finally {
    await closeSandboxes(entries);
  }
  const report: BenchReport = {
    profile,
    command: options.command ?? `pnpm bench${profile.name === 'full' ? ' --full' : ''}`,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine: machineInfo(),
    loadAverage: { start: loadStart, end: loadavg()[0]! },
    sandboxes: entries.map(({ name, available: ok, reason, description }) => ({ name, available: ok, description, ...(reason === undefined ? {} : { reason }) })),
    overhead,
    hostCall,
    batched,
    contextLoad,
    sessionStart,
    scale,
    ...(sideBySide === undefined ? {} : { sideBySide }),
    suites,
    ...(wholeRun === undefined ? {} : { wholeRun }),
    errors,
    sections: [...sections],
  };
  if (options.outDir !== false) {
    const { writeResults } = await import('./report/write-results.js');
    const outDir = options.outDir ?? new URL('../', import.meta.url).pathname;
    await writeResults(report, outDir);
    log(`bench: wrote ${outDir.replace(/\/$/, '')}/RESULTS.md`);
  }
  return report;
}
