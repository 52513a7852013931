import type { HostBridge, SandboxProviderV1, SandboxSessionV1 } from '@rlms/core';
import { findProcesses } from '../util/proc-memory.js';

/** The sandboxes the benchmarks know. */
export type SandboxName = 'local' | 'pyodide' | 'docker';

/** All sandbox names, in report order. */
export const SANDBOX_NAMES: readonly SandboxName[] = ['local', 'pyodide', 'docker'];

/** A sandbox that works here, or why it does not. */
export interface SandboxEntry {
  readonly name: SandboxName;
  /** Present when `available`. */
  readonly provider?: SandboxProviderV1;
  readonly available: boolean;
  /** Why the sandbox is not available (missing package, engine not running, image missing…). */
  readonly reason?: string;
  /** One-line description of what runs the code (for reports). */
  readonly description: string;
}

/** Options of {@link loadSandboxes}. */
export interface LoadSandboxesOptions {
  /** Docker image with python3 (default `RLMS_DOCKER_IMAGE` or `rlms-python:3.11`, built by `.ci/setup-docker.sh`). */
  readonly dockerImage?: string;
}

const noHost: HostBridge = { call: async () => '' };

const DESCRIPTIONS: Record<SandboxName, string> = {
  local: 'host python3 subprocess (@rlms/sandbox-local)',
  pyodide: 'CPython/WebAssembly in a worker thread (@rlms/sandbox-pyodide)',
  docker: 'container per session over docker exec (@rlms/sandbox-docker)',
};

/**
 * Creates one sandbox provider (imports its package; no session yet). `variant: 'reuse'` makes the
 * Docker provider keep one idle container for the next session. Throws when the package is missing.
 */
export async function createSandboxProvider(
  name: SandboxName,
  options: LoadSandboxesOptions & { readonly variant?: 'default' | 'reuse' } = {},
): Promise<SandboxProviderV1> {
  switch (name) {
    case 'local': {
      const { createLocalSandbox } = await import('@rlms/sandbox-local');
      return createLocalSandbox();
    }
    case 'pyodide': {
      const { createPyodideSandbox } = await import('@rlms/sandbox-pyodide');
      return createPyodideSandbox();
    }
    case 'docker': {
      const { createDockerSandbox } = await import('@rlms/sandbox-docker');
      const image = options.dockerImage ?? process.env.RLMS_DOCKER_IMAGE ?? 'rlms-python:3.11';
      return createDockerSandbox({ image, pull: 'never', ...(options.variant === 'reuse' ? { reuse: { maxIdle: 1 } } : {}) });
    }
  }
}

/** Checks a provider end to end: one session runs `print(1)`. Throws when it cannot. */
async function probe(provider: SandboxProviderV1): Promise<void> {
  const session = await provider.createSession({ host: noHost });
  try {
    const result = await session.execute('print(1)', { timeoutMs: 30_000 });
    if (result.stdout.trim() !== '1') throw new Error(`print(1) printed ${JSON.stringify(result.stdout)}${result.error === undefined ? '' : ` (${result.error.type}: ${result.error.message})`}`);
  } finally {
    await session.destroy();
  }
}

/**
 * Creates the named sandbox providers and checks each with one session. Never throws: a sandbox
 * that cannot run is returned with `available: false` and the reason.
 */
export async function loadSandboxes(names: readonly SandboxName[], options: LoadSandboxesOptions = {}): Promise<SandboxEntry[]> {
  const entries: SandboxEntry[] = [];
  for (const name of names) {
    let provider: SandboxProviderV1 | undefined;
    try {
      provider = await createSandboxProvider(name, options);
      await probe(provider);
      entries.push({ name, provider, available: true, description: DESCRIPTIONS[name] });
    } catch (error) {
      await provider?.close?.().catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      entries.push({ name, available: false, reason: message.split('\n')[0]!.slice(0, 300), description: DESCRIPTIONS[name] });
    }
  }
  return entries;
}

/** Frees the providers' shared resources (warm pools). */
export async function closeSandboxes(entries: readonly SandboxEntry[]): Promise<void> {
  await Promise.all(entries.map((entry) => entry.provider?.close?.().catch(() => undefined)));
}

/**
 * The OS processes whose memory a session adds, besides this Node process: the python3 child of
 * the local sandbox, the runtime process inside a Docker container (found by its cgroup), none for
 * Pyodide (a worker thread of this process).
 */
export function sessionProcesses(name: SandboxName, session: SandboxSessionV1): { label: string; pid: number }[] {
  if (name === 'local') {
    const pid = (session as { runtimeInfo?: { pid?: number } }).runtimeInfo?.pid;
    return pid === undefined ? [] : [{ label: 'python3 (child)', pid }];
  }
  if (name === 'docker') {
    const containerId = (session as { containerId?: string }).containerId;
    if (containerId === undefined) return [];
    return findProcesses('rlms_runtime', containerId).map((pid) => ({ label: 'python3 (container)', pid }));
  }
  return [];
}
