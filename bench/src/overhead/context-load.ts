import { prepareContext, type ContextInput, type HostBridge, type SandboxProviderV1 } from '@rlms/core';
import { sessionProcesses, type SandboxName } from '../sandboxes/load-sandboxes.js';
import { needleText } from '../scripted/needle-text.js';
import { measurePeakMemory, type PeakMemory } from '../util/proc-memory.js';
import { preciseNow } from '../util/intervals.js';

/** Options of {@link measureContextLoad}. */
export interface ContextLoadOptions {
  readonly name: SandboxName;
  readonly sandbox: SandboxProviderV1;
  /** Context sizes in bytes. Sizes above {@link STRING_LIMIT_BYTES} are passed as a bytes payload. */
  readonly sizes: readonly number[];
}

/** Above this, a context is passed as `{ format: 'text', bytes }` (V8 strings stop at ~512 MB). */
export const STRING_LIMIT_BYTES = 256 * 1024 * 1024;

/** One size. */
export interface ContextLoadRow {
  readonly bytes: number;
  /** How the context was given: a JS string (encoded by the engine) or a bytes payload. */
  readonly input: 'string' | 'bytes';
  /** `prepareContext` (UTF-8 encode + metadata), ms. */
  readonly prepareMs: number;
  /** `session.loadContext` until Python holds `context` as a `str`, ms. */
  readonly loadMs: number;
  /** `prepareMs + loadMs`. */
  readonly totalMs: number;
  readonly memory: PeakMemory;
  /** `memory.growthBytes / bytes`. */
  readonly growthRatio: number;
}

/** Context load time and peak RSS growth of one sandbox. */
export interface ContextLoadResult {
  readonly sandbox: SandboxName;
  readonly rows: readonly ContextLoadRow[];
  /** Sizes that could not be loaded, with the error. */
  readonly failures: readonly { readonly bytes: number; readonly error: string }[];
}

const host: HostBridge = { call: async () => '' };

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * For each size: opens a fresh session, then measures `prepareContext` + `loadContext` of a text
 * context and the peak RSS growth of this Node process plus the sandbox's own processes (see
 * `sessionProcesses`). The context value exists before the baseline is taken (the user has it).
 */
export async function measureContextLoad(options: ContextLoadOptions): Promise<ContextLoadResult> {
  const rows: ContextLoadRow[] = [];
  const failures: { bytes: number; error: string }[] = [];
  for (const size of options.sizes) {
    collectGarbage();
    const generated = needleText(size);
    const input: ContextInput = size > STRING_LIMIT_BYTES ? { format: 'text', bytes: generated.bytes } : new TextDecoder().decode(generated.bytes);
    const expectedLength = generated.bytes.byteLength;
    const session = await options.sandbox.createSession({ host });
    try {
      const processes = [{ label: 'node (engine)', pid: process.pid }, ...sessionProcesses(options.name, session)];
      const { value, memory } = await measurePeakMemory(processes, async () => {
        const t0 = preciseNow();
        const prepared = prepareContext(input);
        const t1 = preciseNow();
        const info = await session.loadContext(prepared.payload);
        const t2 = preciseNow();
        return { info, prepareMs: t1 - t0, loadMs: t2 - t1 };
      });
      if (value.info.length !== expectedLength) throw new Error(`Python saw len(context) = ${value.info.length}, expected ${expectedLength}.`);
      rows.push({
        bytes: expectedLength,
        input: typeof input === 'string' ? 'string' : 'bytes',
        prepareMs: value.prepareMs,
        loadMs: value.loadMs,
        totalMs: value.prepareMs + value.loadMs,
        memory,
        growthRatio: memory.growthBytes / expectedLength,
      });
    } catch (error) {
      failures.push({ bytes: size, error: error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error) });
    } finally {
      await session.destroy();
    }
  }
  collectGarbage();
  return { sandbox: options.name, rows, failures };
}
