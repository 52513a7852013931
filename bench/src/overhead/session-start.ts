import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HostBridge, SandboxProviderV1 } from '@rlms/core';
import type { SandboxName } from '../sandboxes/load-sandboxes.js';
import { preciseNow } from '../util/intervals.js';
import { summarize, type Summary } from '../util/stats.js';

const host: HostBridge = { call: async () => '' };

/** Times of sessions opened one after another on one provider. */
export interface WarmStarts {
  /** `createSession` right after the previous session was destroyed, ms each. */
  readonly backToBack: readonly number[];
  /** `createSession` after the provider sat idle `idleMs` (pools refilled), ms each. */
  readonly afterIdle: readonly number[];
}

/** Opens and destroys `count` sessions back to back, then `idleCount` after pauses of `idleMs`. */
export async function measureWarmStarts(provider: SandboxProviderV1, count: number, idleCount: number, idleMs: number): Promise<WarmStarts> {
  const backToBack: number[] = [];
  const afterIdle: number[] = [];
  for (let index = 0; index < count + idleCount; index++) {
    if (index >= count) await new Promise((resolve) => setTimeout(resolve, idleMs));
    const start = preciseNow();
    const session = await provider.createSession({ host });
    (index >= count ? afterIdle : backToBack).push(preciseNow() - start);
    await session.destroy();
  }
  return { backToBack, afterIdle };
}

/** What one fresh probe process reports. */
export interface SessionStartProbeReport {
  /** `import()` of the sandbox package, ms. */
  readonly importMs: number;
  /** The first `createSession` in the process, ms. */
  readonly coldMs: number;
  readonly warm: WarmStarts;
}

/** Session start of one sandbox (variant). */
export interface SessionStartResult {
  readonly sandbox: string;
  /** First session in a fresh Node process (package already imported), ms; one sample per process. */
  readonly coldMs: Summary;
  /** Package import in a fresh process, ms. */
  readonly importMs: Summary;
  readonly warmBackToBackMs: Summary;
  readonly warmAfterIdleMs: Summary;
  readonly idleMs: number;
  /** Set when cold starts could not be measured in fresh processes (then `coldMs` is empty). */
  readonly note?: string;
}

/** Options of {@link measureSessionStart}. */
export interface SessionStartOptions {
  readonly name: SandboxName;
  readonly variant?: 'default' | 'reuse';
  /** Fresh processes for cold starts. */
  readonly coldRuns: number;
  readonly warmRuns: number;
  readonly idleRuns: number;
  /** Default 1500. */
  readonly idleMs?: number;
  readonly dockerImage?: string;
  /** Used for the warm starts when cold runs are not possible (tests run from sources). */
  readonly provider?: SandboxProviderV1;
}

function runProbe(args: readonly string[]): Promise<SessionStartProbeReport> {
  const entry = fileURLToPath(new URL('../probes/session-start-probe.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [entry, ...args], { timeout: 180_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) return reject(new Error(`session-start probe failed: ${stderr.trim().split('\n').at(-1) ?? error.message}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as SessionStartProbeReport);
      } catch {
        reject(new Error(`session-start probe printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/**
 * Cold start: the first `createSession` in each of `coldRuns` fresh Node processes (median).
 * Warm starts: later sessions in the first such process, back to back and after idling.
 * Without the compiled probe (running from sources), only warm starts on `provider` are measured.
 */
export async function measureSessionStart(options: SessionStartOptions): Promise<SessionStartResult> {
  const idleMs = options.idleMs ?? 1500;
  const label = options.variant === 'reuse' ? `${options.name} (reuse)` : options.name;
  const probeEntry = fileURLToPath(new URL('../probes/session-start-probe.js', import.meta.url));
  if (options.coldRuns > 0 && existsSync(probeEntry)) {
    const reports: SessionStartProbeReport[] = [];
    for (let run = 0; run < options.coldRuns; run++) {
      const args = [options.name, options.variant ?? 'default', String(run === 0 ? options.warmRuns : 0), String(run === 0 ? options.idleRuns : 0), String(idleMs)];
      if (options.dockerImage !== undefined) args.push(options.dockerImage);
      reports.push(await runProbe(args));
    }
    const first = reports[0]!;
    return {
      sandbox: label,
      coldMs: summarize(reports.map((report) => report.coldMs)),
      importMs: summarize(reports.map((report) => report.importMs)),
      warmBackToBackMs: summarize(first.warm.backToBack),
      warmAfterIdleMs: summarize(first.warm.afterIdle),
      idleMs,
    };
  }
  if (options.provider === undefined) throw new Error('measureSessionStart needs `provider` when the compiled probe is not available.');
  const warm = await measureWarmStarts(options.provider, options.warmRuns, options.idleRuns, idleMs);
  return {
    sandbox: label,
    coldMs: summarize([]),
    importMs: summarize([]),
    warmBackToBackMs: summarize(warm.backToBack),
    warmAfterIdleMs: summarize(warm.afterIdle),
    idleMs,
    note: 'cold start not measured (needs the compiled probe: run from dist/)',
  };
}
