/**
 * The whole-run scenario (issue 22): the real `rlms ask` CLI as a child process, real HTTP to the
 * scripted OpenAI-compatible server (latency 0), a 1 / 10 / 100 MB context file, on each sandbox;
 * the Python reference side by side when `PYRLM_DIR` is set. Every answer is checked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { needleText } from '../scripted/needle-text.js';
import { startScriptedServer } from '../server/scripted-server.js';
import { assertCliBuilt, rlmsCliPath, staleCliNote } from '../trajectories/run-rlms-cli.js';
import { WORKLOAD_QUESTION, chunkCharsFor } from '../overhead/workload.js';
import { machineInfo, type MachineInfo } from '../util/machine-info.js';
import { modelWaitTotal, parseRunPhases, verboseTimeLine, type RunPhases } from './phases.js';
import { parseVerbosePhases } from './verbose-phases.js';
import { findReference, parseReferenceOutput, referenceArgs } from './python-reference.js';
import { childEnv, runChild, type ChildRun } from './run-child.js';

/** Sandboxes of the CLI the scenario knows. */
export type WholeRunSandbox = 'local' | 'pyodide' | 'docker';
export const WHOLE_RUN_SANDBOXES: readonly WholeRunSandbox[] = ['local', 'pyodide', 'docker'];

/** Options of {@link runWholeRun}. */
export interface WholeRunOptions {
  /** Context sizes in MB (10^6 bytes). Default 1, 10, 100. */
  readonly sizesMB?: readonly number[];
  readonly sandboxes?: readonly WholeRunSandbox[];
  /** Measured runs per size and sandbox; the fastest correct one is reported. Default 1. */
  readonly repeats?: number;
  /** Characters per sub-call chunk. Default 200 000. */
  readonly chunkChars?: number;
  /** Per-run limit, ms. Default 600 000. */
  readonly timeoutMs?: number;
  /** Run the Python reference when `PYRLM_DIR` is set. Default true. */
  readonly reference?: boolean;
  readonly command?: string;
  readonly log?: (line: string) => void;
  /** Environment to read `PYRLM_DIR`, `PYRLM_PYTHON`, `RLMS_CLI` from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** One measured run. */
export interface WholeRunRow {
  readonly implementation: 'rlms' | 'reference';
  /** The CLI's sandbox (`local` for the reference: its LocalREPL runs `exec` in its own process). */
  readonly sandbox: string;
  readonly sizeMB: number;
  readonly bytes: number;
  readonly expected: number;
  readonly answer: string;
  readonly correct: boolean;
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** Root-model wait + sub-calls in flight (client side: HTTP and SDK included), ms. */
  readonly modelWaitMs?: number;
  /** Wall − model wait, ms. */
  readonly machineryMs?: number;
  /** Σ of the peak RSS of the child and its descendants (and the container's python for Docker), bytes. */
  readonly peakRssBytes: number;
  /** The largest processes of the tree: `name peak` (bytes). */
  readonly processes: readonly { readonly name: string; readonly peakBytes: number }[];
  readonly phases?: RunPhases;
  /** The `Time:` line of the verbose trace. */
  readonly verboseTime?: string;
  /** Why the run failed (exit code, stderr tail), when it did. */
  readonly error?: string;
  /** Runs made for this row (the fastest correct one is reported) and why the others failed, if some did. */
  readonly runs?: number;
  readonly failures?: readonly string[];
}

/** A sandbox or implementation that was not measured, and why. */
export interface WholeRunSkip {
  readonly what: string;
  readonly reason: string;
}

/** Everything the scenario measured. */
export interface WholeRunReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly chunkChars: number;
  readonly cliPath: string;
  readonly staleCli?: string;
  /** Newest build under packages/<name>/dist at the start and at the end (ISO): different when packages were rebuilt during the run. */
  readonly builds?: { readonly start: string; readonly end: string };
  readonly rows: readonly WholeRunRow[];
  /** Per sandbox: the sandbox start of the first (unmeasured, warm-up) run, ms — the "first run ever" start. */
  readonly firstStartMs: Readonly<Record<string, number | undefined>>;
  readonly skipped: readonly WholeRunSkip[];
}

/** The newest modification time (ms) of a built file under `packages/<name>/dist` of the checkout the CLI is in, or 0. */
export function newestBuildMs(cliPath: string): number {
  const packages = join(dirname(cliPath), '..', '..');
  let newest = 0;
  const walk = (folder: string): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    }
  };
  for (const name of (() => {
    try {
      return readdirSync(packages);
    } catch {
      return [];
    }
  })()) walk(join(packages, name, 'dist'));
  return newest;
}

/** Why Docker cannot run here, or undefined when it can (engine up, image present). */
export function dockerUnavailable(image = process.env.RLMS_DOCKER_IMAGE ?? 'rlms-python:3.11'): string | undefined {
  try {
    execFileSync('docker', ['ps', '-q'], { stdio: 'ignore', timeout: 10_000 });
  } catch (error) {
    return `no Docker engine (\`docker ps\` failed: ${(error as Error).message.split('\n')[0]})`;
  }
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return `image ${image} is missing (build it with .ci/setup-docker.sh)`;
  }
  return undefined;
}

function stderrTail(run: ChildRun): string {
  return run.stderr.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
}

/** The JSON object `rlms ask --json` printed, or undefined. */
function parseJson(stdout: string): unknown {
  const text = stdout.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The row to report of several runs of one case: the fastest correct run, with how many runs were
 * made and why the failed ones failed (a crash while other sessions rebuild the packages is not the
 * figure); the first failure when no run was correct.
 */
export function pickRun(runs: readonly WholeRunRow[]): WholeRunRow {
  const correct = runs.filter((run) => run.correct);
  const failures = runs.filter((run) => !run.correct).map((run) => run.error ?? 'wrong answer');
  const chosen = correct.length > 0 ? correct.reduce((best, run) => (run.wallMs < best.wallMs ? run : best)) : runs[0]!;
  return { ...chosen, runs: runs.length, ...(failures.length === 0 ? {} : { failures }) };
}

/** Runs the scenario; never throws for one failed run (it is a row with `error`). */
export async function runWholeRun(options: WholeRunOptions = {}): Promise<WholeRunReport> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sizesMB = options.sizesMB ?? [1, 10, 100];
  const repeats = Math.max(1, options.repeats ?? 1);
  const chunkChars = chunkCharsFor(options.chunkChars ?? 200_000);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const cliPath = rlmsCliPath(env);
  assertCliBuilt(cliPath);
  const staleCli = staleCliNote(cliPath);
  if (staleCli !== undefined) log(`whole-run: note: ${staleCli}`);
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  const buildStart = newestBuildMs(cliPath);
  const skipped: WholeRunSkip[] = [];
  const sandboxes: WholeRunSandbox[] = [];
  for (const sandbox of options.sandboxes ?? WHOLE_RUN_SANDBOXES) {
    const reason = sandbox === 'docker' ? dockerUnavailable(env.RLMS_DOCKER_IMAGE ?? 'rlms-python:3.11') : undefined;
    if (reason === undefined) sandboxes.push(sandbox);
    else {
      skipped.push({ what: `rlms --sandbox ${sandbox}`, reason });
      log(`whole-run: ${sandbox} skipped: ${reason}`);
    }
  }
  const reference = options.reference === false ? ({ available: false, reason: 'disabled (--no-reference)' } as const) : findReference(env);
  if (!reference.available) {
    skipped.push({ what: 'Python reference (alexzhang13/rlm)', reason: reference.reason });
    log(`whole-run: Python reference skipped: ${reference.reason}`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'rlms-whole-run-'));
  const server = await startScriptedServer({ latencyMs: 0, chunkChars, policy: 'whole-run' });
  const rows: WholeRunRow[] = [];
  const firstStartMs: Record<string, number | undefined> = {};
  const dockerImage = env.RLMS_DOCKER_IMAGE ?? 'rlms-python:3.11';
  const cliRun = async (sandbox: string, contextPath: string): Promise<ChildRun> =>
    runChild({
      command: process.execPath,
      args: [cliPath, 'ask', WORKLOAD_QUESTION, '--context', contextPath, '--base-url', server.baseURL, '--model', 'bench-model', '--sandbox', sandbox, '--mode', 'rlm', '--max-iterations', '10', '--verbose', ...(env.RLMS_BENCH_JSON === '1' ? ['--json'] : []), ...(sandbox === 'docker' ? ['--sandbox-option', `image=${dockerImage}`, '--sandbox-option', 'pull=never'] : [])],
      env: childEnv({ OPENAI_API_KEY: 'rlms-bench', NO_COLOR: '1' }),
      timeoutMs,
      ...(sandbox === 'docker' ? { followCommand: 'rlms_runtime', followCgroup: 'docker' } : {}),
    });
  const measureRlms = async (sandbox: string, sizeMB: number, contextPath: string, bytes: number, expected: number): Promise<WholeRunRow> => {
    const run = await cliRun(sandbox, contextPath);
    const activity = await server.take();
    // The answer is stdout; a `--json` result (RLMS_BENCH_JSON=1) also works, with the phases from its trajectory.
    const json = parseJson(run.stdout) as { answer?: unknown } | undefined;
    const answer = json === undefined ? run.stdout.trim() : json.answer === undefined ? '' : String(json.answer);
    const phases = json === undefined ? parseVerbosePhases(run.stderrLines, run.wallMs) : parseRunPhases(json, run.spawnedAt, run.wallMs);
    const wait = phases === undefined ? undefined : modelWaitTotal(phases);
    const correct = run.exitCode === 0 && answer.trim() === String(expected);
    const time = verboseTimeLine(run.stderr);
    const failures = activity.failures.length === 0 ? '' : `; server: ${activity.failures.slice(0, 2).join(' / ')}`;
    return {
      implementation: 'rlms',
      sandbox,
      sizeMB,
      bytes,
      expected,
      answer: answer.slice(0, 80),
      correct,
      exitCode: run.exitCode,
      wallMs: run.wallMs,
      ...(wait === undefined ? {} : { modelWaitMs: wait, machineryMs: run.wallMs - wait }),
      peakRssBytes: run.memory.peakBytes,
      processes: run.memory.processes.slice(0, 4).map(({ name, peakBytes }) => ({ name, peakBytes })),
      ...(phases === undefined ? {} : { phases }),
      ...(time === undefined ? {} : { verboseTime: time }),
      ...(correct ? {} : { error: `${run.timedOut ? 'timed out; ' : ''}exit ${run.exitCode}, answer ${JSON.stringify(answer.slice(0, 40))} (expected ${expected}): ${stderrTail(run)}${failures}` }),
    };
  };
  try {
    const files = new Map<number, { path: string; bytes: number; expected: number }>();
    for (const sizeMB of sizesMB) {
      const text = needleText(sizeMB * 1_000_000);
      const path = join(folder, `context-${sizeMB}MB.txt`);
      writeFileSync(path, text.bytes);
      files.set(sizeMB, { path, bytes: text.bytes.byteLength, expected: text.markers });
    }
    const smallest = files.get(Math.min(...sizesMB))!;
    for (const sandbox of sandboxes) {
      // Warm-up: the first run ever of a sandbox may build caches (Pyodide's memory snapshot, Docker's image layers in the page cache).
      log(`whole-run: ${sandbox}: warm-up run (${Math.min(...sizesMB)} MB, not measured)`);
      const warm = await measureRlms(sandbox, Math.min(...sizesMB), smallest.path, smallest.bytes, smallest.expected);
      firstStartMs[sandbox] = warm.phases?.sandboxStartMs;
      if (!warm.correct) log(`whole-run: ${sandbox}: warm-up failed: ${warm.error}`);
      for (const sizeMB of sizesMB) {
        const file = files.get(sizeMB)!;
        const runs: WholeRunRow[] = [];
        for (let repeat = 0; repeat < repeats; repeat++) {
          const row = await measureRlms(sandbox, sizeMB, file.path, file.bytes, file.expected);
          log(`whole-run: rlms ${sandbox} ${sizeMB} MB: ${(row.wallMs / 1000).toFixed(2)} s, peak ${(row.peakRssBytes / 1e9).toFixed(2)} GB, ${row.correct ? 'correct' : `WRONG: ${row.error}`}`);
          runs.push(row);
        }
        rows.push(pickRun(runs));
      }
    }
    if (reference.available) {
      for (const sizeMB of sizesMB) {
        const file = files.get(sizeMB)!;
        const runs: WholeRunRow[] = [];
        for (let repeat = 0; repeat < repeats; repeat++) {
          const run = await runChild({
            command: reference.python,
            args: referenceArgs(reference, { contextPath: file.path, baseURL: server.baseURL, question: WORKLOAD_QUESTION }),
            env: childEnv({ OPENAI_API_KEY: 'rlms-bench', PYTHONUNBUFFERED: '1' }),
            cwd: folder,
            timeoutMs,
          });
          await server.take();
          const parsed = parseReferenceOutput(run.stdout);
          const answer = parsed?.answer ?? '';
          const correct = run.exitCode === 0 && answer.trim() === String(file.expected);
          const row: WholeRunRow = {
            implementation: 'reference',
            sandbox: 'local',
            sizeMB,
            bytes: file.bytes,
            expected: file.expected,
            answer: answer.slice(0, 80),
            correct,
            exitCode: run.exitCode,
            wallMs: run.wallMs,
            peakRssBytes: run.memory.peakBytes,
            processes: run.memory.processes.slice(0, 4).map(({ name, peakBytes }) => ({ name, peakBytes })),
            ...(correct ? {} : { error: `exit ${run.exitCode}, answer ${JSON.stringify(answer.slice(0, 40))} (expected ${file.expected}): ${stderrTail(run)}` }),
          };
          log(`whole-run: reference ${sizeMB} MB: ${(row.wallMs / 1000).toFixed(2)} s, peak ${(row.peakRssBytes / 1e9).toFixed(2)} GB, ${row.correct ? 'correct' : `WRONG: ${row.error}`}`);
          runs.push(row);
        }
        rows.push(pickRun(runs));
      }
    }
  } finally {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return {
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    command: options.command ?? 'pnpm bench whole-run',
    machine: machineInfo(),
    loadAverage: { start: loadStart, end: loadavg()[0]! },
    chunkChars,
    cliPath,
    ...(staleCli === undefined ? {} : { staleCli }),
    builds: { start: new Date(buildStart).toISOString(), end: new Date(newestBuildMs(cliPath)).toISOString() },
    rows,
    firstStartMs,
    skipped,
  };
}
