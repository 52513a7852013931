import { expect, vi } from 'vitest';
import { RLMAbortError, SandboxSessionDeadError } from '../../errors/index.js';
import { createFrameSession } from '../../protocol/create-frame-session.js';
import type { FrameTransport } from '../../protocol/frame-transport.js';
import type { SandboxProviderV1 } from '../../spec/index.js';
import { createFakeHost } from '../../testing/sandbox/create-fake-host.js';

/** Holds calls (e.g. a fake SDK's sandbox creation) open until the test releases them. See {@link createGate}. */
export interface Gate {
  /** True once a call has reached {@link pass}. */
  readonly entered: boolean;
  /** Awaited inside the held call: resolves on {@link release}. */
  pass(): Promise<void>;
  /** Lets every held call (and later ones) go on. */
  release(): void;
}

/**
 * Creates a {@link Gate}.
 *
 * @example
 * ```ts
 * const gate = createGate();
 * client.create = async (params) => { await gate.pass(); return create(params); };
 * ```
 */
export function createGate(): Gate {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let entered = false;
  return {
    get entered() {
      return entered;
    },
    pass() {
      entered = true;
      return opened;
    },
    release,
  };
}

/** Options of {@link expectAbortFreesLateSandbox}. */
export interface AbortFreesLateSandboxOptions {
  /** A provider whose remote sandbox creation waits at `gate`. */
  readonly provider: SandboxProviderV1;
  readonly gate: Gate;
  /** True once the sandbox created after the abort was freed (killed, terminated, deleted). */
  readonly freed: () => boolean | undefined;
}

/**
 * Aborts `createSession` while the remote sandbox's creation is held at the gate: it must reject
 * with an `RLMAbortError` at once; then releases the creation and waits until the sandbox that
 * arrived late is freed.
 */
export async function expectAbortFreesLateSandbox(options: AbortFreesLateSandboxOptions): Promise<void> {
  const { provider, gate, freed } = options;
  const controller = new AbortController();
  const pending = provider.createSession({ host: createFakeHost(), abortSignal: controller.signal });
  await vi.waitFor(() => expect(gate.entered).toBe(true));
  controller.abort();
  await expect(pending).rejects.toSatisfy((error: unknown) => RLMAbortError.isInstance(error));
  gate.release();
  await vi.waitFor(() => expect(freed()).toBe(true));
}

/** Options of {@link expectCrashContained}. */
export interface CrashContainedOptions<Sandbox> {
  /** A provider that counts its open sessions and destroys them on `close()`. */
  readonly provider: SandboxProviderV1 & { readonly liveSessions: number; close(): Promise<void> };
  /** The remote sandbox the provider created last. */
  readonly latestSandbox: () => Sandbox;
  /** True once `sandbox` was freed (killed, terminated, deleted). */
  readonly isFreed: (sandbox: Sandbox) => boolean;
}

/**
 * Opens two sessions and crashes the first one's runtime (`os._exit(3)`): that session must fail
 * with `SandboxSessionDeadError` and its sandbox be freed, while it still counts in `liveSessions`
 * until destroyed. `close()` then destroys the other: its sandbox is freed, `liveSessions` is 0,
 * and it fails with `SandboxSessionDeadError`.
 */
export async function expectCrashContained<Sandbox>(options: CrashContainedOptions<Sandbox>): Promise<void> {
  const { provider, latestSandbox, isFreed } = options;
  const crashing = await provider.createSession({ host: createFakeHost() });
  const crashed = latestSandbox();
  const survivor = await provider.createSession({ host: createFakeHost() });
  const surviving = latestSandbox();
  await expect(crashing.execute('import os\nos._exit(3)')).rejects.toSatisfy((error: unknown) => SandboxSessionDeadError.isInstance(error));
  await vi.waitFor(() => expect(isFreed(crashed)).toBe(true));
  expect(provider.liveSessions).toBe(2); // dead but not destroyed yet
  await provider.close();
  expect(provider.liveSessions).toBe(0);
  expect(isFreed(surviving)).toBe(true);
  await expect(survivor.execute('1')).rejects.toSatisfy((error: unknown) => SandboxSessionDeadError.isInstance(error));
}

/**
 * Starts a session over `transport`, runs code that waits in a host call and then sleeps, and
 * calls `transport.interrupt()` (the session's fallback interrupt): the code must end with
 * `KeyboardInterrupt`. Destroys the session before returning, so the caller can check how the
 * signal was sent and that the sandbox was freed.
 */
export async function expectTransportInterrupt(options: { readonly sandbox: string; readonly transport: FrameTransport }): Promise<void> {
  const { transport } = options;
  if (transport.interrupt === undefined) throw new Error(`The ${options.sandbox} transport has no interrupt().`);
  const host = createFakeHost();
  const session = await createFrameSession({ sandbox: options.sandbox, transport, host });
  try {
    const running = session.execute('llm_query("started")\nimport time\nfor _ in range(3000): time.sleep(0.01)');
    await vi.waitFor(() => expect(host.calls).toHaveLength(1));
    await transport.interrupt();
    expect((await running).error?.type).toBe('KeyboardInterrupt');
  } finally {
    await session.destroy();
  }
}
