/**
 * A sandbox provider wrapper that hands the tests the real sessions the engine opens, so a test
 * can kill the interpreter behind a session from the host while model code runs.
 */
import type { CreateSessionOptions, SandboxProviderV1, SandboxSessionV1 } from '@rlms/core';

export interface SpySandbox extends SandboxProviderV1 {
  /** Every session the engine created, oldest first (the inner provider's objects). */
  readonly sessions: readonly SandboxSessionV1[];
  /** Sessions created and not yet destroyed. */
  readonly live: number;
  /** Resolves with the next session created. */
  nextSession(): Promise<SandboxSessionV1>;
}

export function spySandbox(inner: SandboxProviderV1): SpySandbox {
  const sessions: SandboxSessionV1[] = [];
  const destroyed = new Set<SandboxSessionV1>();
  let waiters: ((session: SandboxSessionV1) => void)[] = [];
  return {
    specificationVersion: 'rlms-sandbox-v1',
    name: inner.name,
    capabilities: inner.capabilities,
    get sessions() {
      return sessions;
    },
    get live() {
      return sessions.length - destroyed.size;
    },
    nextSession: () => new Promise((resolve) => waiters.push(resolve)),
    async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
      const session = await inner.createSession(options);
      sessions.push(session);
      const ready = waiters;
      waiters = [];
      for (const wake of ready) wake(session);
      return {
        id: session.id,
        loadContext: (payload, loadOptions) => session.loadContext(payload, loadOptions),
        execute: (code, executeOptions) => session.execute(code, executeOptions),
        destroy: async () => {
          destroyed.add(session);
          await session.destroy();
        },
      };
    },
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
  };
}
