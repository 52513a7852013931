import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createRLM, type RLMEvent, type SandboxProviderV1, type SandboxSessionV1 } from '../src/index.js';
import { MockModel } from '../src/testing/index.js';
// The local sandbox is a sibling workspace package; importing its source keeps core free of a dependency cycle.
import { createLocalSandbox } from '../../sandbox-local/src/index.js';

const local = createLocalSandbox();
afterAll(() => local.close?.());

/** The local sandbox, counting the sessions it opens and destroys. */
function counted(): { provider: SandboxProviderV1; created: () => number; destroyed: () => number } {
  let created = 0;
  let destroyed = 0;
  const provider: SandboxProviderV1 = {
    ...local,
    createSession: async (options) => {
      created++;
      const session = await local.createSession(options);
      const wrapped: SandboxSessionV1 = {
        get id() {
          return session.id;
        },
        loadContext: (payload, loadOptions) => session.loadContext(payload, loadOptions),
        execute: (code, executeOptions) => session.execute(code, executeOptions),
        destroy: async () => {
          destroyed++;
          await session.destroy();
        },
      };
      return wrapped;
    },
  };
  return { provider, created: () => created, destroyed: () => destroyed };
}

describe('the root run opens its sandbox while the root model writes its first reply', () => {
  it('has asked for the session before the first root call, and uses that one session', async () => {
    const sandbox = counted();
    let sessionsAtFirstCall: number | undefined;
    const model = new MockModel({
      replies: (call) => {
        sessionsAtFirstCall ??= sandbox.created();
        return call.index === 0 ? '```repl\nx = len(context)\n```' : '```repl\nFINAL(x)\n```';
      },
    });
    const events: RLMEvent[] = [];
    const result = await createRLM({ model, sandbox: sandbox.provider }).query({ context: 'abcd', question: 'How long?', onEvent: (event) => events.push(event) });
    expect(result.statusDetail).toBeUndefined();
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('4');
    expect(sessionsAtFirstCall).toBe(1);
    expect(sandbox.created()).toBe(1);
    expect(sandbox.destroyed()).toBe(1);
    const types = events.map((event) => event.type);
    expect(types.indexOf('sandbox-start')).toBeLessThan(types.indexOf('model-response'));
    expect(result.trajectory.timings?.cells).toBe(2);
  });

  it('frees the early session when the run ends without running code', async () => {
    const sandbox = counted();
    const model = new MockModel({ replies: ['The answer is plain text, no code.'] });
    const result = await createRLM({ model, sandbox: sandbox.provider, maxIterations: 1 }).query({ context: 'abcd', question: 'q' });
    expect(result.status).not.toBe('error');
    expect(sandbox.created()).toBe(1);
    expect(sandbox.destroyed()).toBe(1);
  });

  it('ends the run at once with the sandbox error when it cannot start, cancelling the root call', async () => {
    const refused = new ConfigurationError('No E2B API key: set the E2B_API_KEY environment variable.', { code: 'missing-credentials' });
    const broken: SandboxProviderV1 = { ...local, name: 'broken', createSession: () => Promise.reject(refused) };
    const model = new MockModel({
      // A root call that only ends when it is cancelled: the run must not wait for it.
      replies: (call) =>
        new Promise((_resolve, reject) => {
          const signal = call.options.abortSignal;
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    const events: RLMEvent[] = [];
    const result = await createRLM({ model, sandbox: broken, maxRetries: 0 }).query({ context: 'abcd', question: 'q', onEvent: (event) => events.push(event) });
    expect(result.status).toBe('error');
    expect(result.error).toBe(refused);
    expect(result.statusDetail).toContain('E2B_API_KEY');
    // The root call was cancelled, or never sent when the failure came first.
    expect(model.calls.every((call) => call.options.abortSignal?.aborted === true)).toBe(true);
    expect(events.some((event) => event.type === 'model-response')).toBe(false);
  });

  it('leaves a session that died while opening to the first cell, which restarts it', async () => {
    let attempts = 0;
    const flaky: SandboxProviderV1 = {
      ...local,
      createSession: async (options) => {
        attempts++;
        const session = await local.createSession(options);
        if (attempts === 1) await session.destroy(); // dead before the first cell
        return session;
      },
    };
    const model = new MockModel({ replies: ['```repl\nprint(len(context))\n```', '```repl\nFINAL("done")\n```'] });
    const result = await createRLM({ model, sandbox: flaky }).query({ context: 'abcd', question: 'q' });
    expect(result.status).toBe('completed');
    expect(attempts).toBe(2);
  });
});
