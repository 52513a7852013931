import type { CreateSessionOptions, SandboxProviderV1, SandboxSessionV1 } from '../../spec/sandbox-provider-v1.js';

/** A sandbox provider wrapper that counts sessions, to prove every session is destroyed. */
export interface TrackingSandbox extends SandboxProviderV1 {
  readonly created: number;
  readonly destroyed: number;
  /** Sessions created and not yet destroyed. */
  readonly live: number;
}

/** Wraps `inner` so tests can assert that runs free their sessions. */
export function trackSandbox(inner: SandboxProviderV1): TrackingSandbox {
  let created = 0;
  let destroyed = 0;
  return {
    specificationVersion: 'rlms-sandbox-v1',
    name: inner.name,
    capabilities: inner.capabilities,
    get created() {
      return created;
    },
    get destroyed() {
      return destroyed;
    },
    get live() {
      return created - destroyed;
    },
    async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
      const session = await inner.createSession(options);
      created++;
      let done = false;
      return {
        id: session.id,
        loadContext: (payload, loadOptions) => session.loadContext(payload, loadOptions),
        execute: (code, executeOptions) => session.execute(code, executeOptions),
        destroy: async () => {
          if (!done) {
            done = true;
            destroyed++;
          }
          await session.destroy();
        },
      };
    },
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
  };
}
