import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { SandboxSessionDeadError } from '../../errors/index.js';
import type {
  CreateSessionOptions,
  ExecuteOptions,
  ExecutionResult,
  HostToolInfo,
  SandboxCapabilities,
  SandboxProviderV1,
  SandboxSessionV1,
} from '../../spec/index.js';
import { createFakeHost, type FakeHost } from '../../testing/sandbox/create-fake-host.js';

/** Options of `testSandboxProvider`. */
export interface SandboxProviderTestOptions {
  /** The provider's `name` (checked by the `spec` case) and the suite title, e.g. `'local'`. */
  readonly name: string;
  /** Creates the provider under test (called once, before the cases). `close()` is called after them. */
  readonly create: () => SandboxProviderV1 | Promise<SandboxProviderV1>;
  /**
   * Case ids to skip (see `SANDBOX_CONFORMANCE_CASES`), for what the provider legitimately cannot
   * do beyond its declared capabilities. Skipped cases are reported as skipped, with the id.
   */
  readonly skip?: readonly string[];
  /** Timeout of each case in ms. Default 60 000. */
  readonly timeoutMs?: number;
}

/** Tool defined in the shared session of the suite. */
export const SUITE_TOOL: HostToolInfo = {
  name: 'lookup',
  description: 'Look up a key in the test table.',
  parameters: {
    type: 'object',
    properties: { key: { type: 'string', description: 'The key.' }, limit: { type: 'integer' } },
    required: ['key'],
  },
};

interface CaseContext {
  skip(note?: string): never;
  annotate?: (message: string) => Promise<unknown>;
}

/** What the case files use: the provider, a shared session, fresh sessions, and `defineCase`. */
export interface SuiteHarness {
  provider(): SandboxProviderV1;
  capabilities(): SandboxCapabilities;
  /** The session shared by the cheap cases (tool `lookup` defined), with its fake host reset before each case. */
  shared(): Promise<{ session: SandboxSessionV1; host: FakeHost }>;
  /** A new session destroyed after the case. */
  fresh(options?: Partial<CreateSessionOptions>): Promise<{ session: SandboxSessionV1; host: FakeHost }>;
  /** Runs code and fails the case (with the Python traceback) if it raised. */
  runOk(session: SandboxSessionV1, code: string, options?: ExecuteOptions): Promise<ExecutionResult>;
  defineCase(
    id: string,
    title: string,
    body: (context: CaseContext) => Promise<void>,
    requires?: (capabilities: SandboxCapabilities) => string | undefined,
  ): void;
}

/** Registers the vitest hooks of the suite and returns the harness. Call inside a `describe`. */
export function createSuiteHarness(options: SandboxProviderTestOptions): SuiteHarness {
  const timeout = options.timeoutMs ?? 60_000;
  const skipped = new Set(options.skip ?? []);
  let provider: SandboxProviderV1 | undefined;
  let shared: { session: SandboxSessionV1; host: FakeHost } | undefined;
  let freshSessions: SandboxSessionV1[] = [];

  beforeAll(async () => {
    provider = await options.create();
  }, timeout);
  afterAll(async () => {
    await shared?.session.destroy();
    shared = undefined;
    await provider?.close?.();
  }, timeout);
  beforeEach(() => {
    shared?.host.reset();
  });
  afterEach(async () => {
    const sessions = freshSessions;
    freshSessions = [];
    await Promise.all(sessions.map((session) => session.destroy()));
  }, timeout);

  const requireProvider = (): SandboxProviderV1 => {
    if (provider === undefined) throw new Error('testSandboxProvider: create() did not return a provider.');
    return provider;
  };

  const harness: SuiteHarness = {
    provider: requireProvider,
    capabilities: () => requireProvider().capabilities,
    async shared() {
      if (shared === undefined) {
        const host = createFakeHost();
        const session = await requireProvider().createSession({ host, tools: [SUITE_TOOL] });
        shared = { session, host };
      }
      return shared;
    },
    async fresh(sessionOptions = {}) {
      const host = createFakeHost();
      const session = await requireProvider().createSession({ host, ...sessionOptions });
      freshSessions.push(session);
      return { session, host: (sessionOptions.host as FakeHost | undefined) ?? host };
    },
    async runOk(session, code, executeOptions) {
      let result: ExecutionResult;
      try {
        result = await session.execute(code, executeOptions);
      } catch (error) {
        if (SandboxSessionDeadError.isInstance(error) && shared?.session === session) {
          shared = undefined; // let later cases start over with a new shared session
        }
        throw error;
      }
      expect(result.error, `Python raised:\n${result.error?.traceback ?? ''}`).toBeUndefined();
      return result;
    },
    defineCase(id, title, body, requires) {
      const name = `${id}: ${title}`;
      if (skipped.has(id)) {
        it.skip(`${name} (skipped by the provider's test options)`, () => undefined);
        return;
      }
      it(
        name,
        async (context) => {
          const missing = requires?.(requireProvider().capabilities);
          if (missing !== undefined) context.skip(`not applicable: ${missing}`);
          await body(context as unknown as CaseContext);
        },
        timeout,
      );
    },
  };
  return harness;
}
