import { describe, expect, it } from 'vitest';
import { ConfigurationError, RLMAbortError, SandboxError } from '../src/errors/index.js';
import { TransportRelay } from '../src/protocol/index.js';
import { RemoteRuntimeTransport, RUNTIME_INTERRUPT_SCRIPT, runtimeLaunchScript, settingsChecks, startupErrorFor, startupStep } from '../src/sandbox.js';

/** A RemoteRuntimeTransport that records the SDK calls it is asked to make. */
class RecordingTransport extends RemoteRuntimeTransport {
  readonly calls: string[] = [];
  readonly inputs: number[] = [];
  constructor(readonly relay: TransportRelay, options: { inputChunkBytes?: number; onClose?: () => void } = {}) {
    super(relay, { directory: '/tmp/rlms/s1', ...options });
  }
  protected async sendInput(bytes: Uint8Array): Promise<void> {
    this.inputs.push(bytes.byteLength);
  }
  protected async sendInterrupt(): Promise<void> {
    this.calls.push('interrupt');
    throw new Error('the runtime is gone');
  }
  protected async terminate(): Promise<void> {
    this.calls.push('terminate');
    throw new Error('already deleted');
  }
  protected async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    this.calls.push(`write ${path} ${bytes.byteLength}`);
  }
}

describe('RemoteRuntimeTransport', () => {
  it('sends input in pieces of inputChunkBytes, and nothing once the runtime exited', async () => {
    const relay = new TransportRelay();
    const transport = new RecordingTransport(relay, { inputChunkBytes: 4 });
    await transport.write(new Uint8Array(10));
    expect(transport.inputs).toEqual([4, 4, 2]);
    relay.onExit({ code: 0 });
    await transport.write(new Uint8Array(3));
    expect(transport.inputs).toEqual([4, 4, 2]);
  });

  it('names uploaded contexts context-<n>.bin in the runtime directory', async () => {
    const transport = new RecordingTransport(new TransportRelay());
    expect(await transport.uploadContext(new Uint8Array(5))).toBe('context-1.bin');
    expect(await transport.uploadContext(new Uint8Array(7))).toBe('context-2.bin');
    expect(transport.calls).toEqual(['write /tmp/rlms/s1/context-1.bin 5', 'write /tmp/rlms/s1/context-2.bin 7']);
  });

  it('terminates once, swallows SDK errors, skips interrupts after a kill, and closes once with onClose last', async () => {
    let closes = 0;
    const transport = new RecordingTransport(new TransportRelay(), { onClose: () => (closes += 1) });
    await transport.interrupt(); // the SDK error is swallowed
    await Promise.all([transport.kill(), transport.kill()]);
    await transport.interrupt();
    await transport.close();
    await transport.close();
    expect(transport.calls).toEqual(['interrupt', 'terminate']);
    expect(closes).toBe(1);
  });

  it('launch and interrupt scripts quote the interpreter and share the pid file', () => {
    expect(runtimeLaunchScript("/opt/my python")).toBe("echo $$ > runtime.pid && exec '/opt/my python' -u rlms_runtime.py");
    expect(RUNTIME_INTERRUPT_SCRIPT).toBe('kill -INT "$(cat runtime.pid)"');
  });
});

describe('settingsChecks', () => {
  const check = settingsChecks('createThingSandbox');

  it('passes undefined and good values', () => {
    expect(() => {
      check.object({});
      check.nonEmptyString('python', undefined);
      check.nonEmptyString('python', 'python3');
      check.positiveInteger('timeoutMs', 1_000, 'milliseconds');
      check.positiveNumber('cpu', 0.5);
      check.boolean('blockNetwork', false);
      check.stringRecord('tags', { a: 'b' });
    }).not.toThrow();
  });

  it('names the factory, the setting, the value and what it accepts', () => {
    expect(() => check.positiveInteger('timeoutMs', 1.5, 'milliseconds')).toThrow(
      'createThingSandbox: invalid `timeoutMs` (1.5); expected a positive integer (milliseconds).',
    );
    expect(() => check.object(null)).toThrow(/invalid `settings` \(null\); expected an object of settings/);
    expect(() => check.positiveNumber('cpu', Number.NaN)).toThrow(/`cpu`/);
    expect(() => check.boolean('blockNetwork', 'yes')).toThrow(/expected true or false/);
    const error = check.error('image', '', 'a registry tag');
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.code).toBe('invalid-setting');
  });

  it('never shows a secret or a record value', () => {
    let message = '';
    try {
      check.nonEmptyString('apiKey', { key: 'sk-very-secret' }, 'a non-empty API key', { secret: true });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('createThingSandbox: invalid `apiKey` (an object); expected a non-empty API key.');
    expect(() => check.stringRecord('env', { TOKEN: 12345 })).toThrow('createThingSandbox: invalid `env.TOKEN` (a number); expected a string.');
  });
});

describe('startupErrorFor', () => {
  const startupError = startupErrorFor({
    sandbox: 'thing',
    isAuthError: (error) => (error as { status?: number }).status === 401,
    rejected: 'Thing rejected the API key',
    fix: 'Check THING_API_KEY.',
  });

  it('keeps rlms errors, explains refused credentials, and wraps the rest as startup-failed', () => {
    const abort = new RLMAbortError('aborted');
    expect(startupError(abort, 'create a sandbox')).toBe(abort);
    const auth = startupError(Object.assign(new Error('401 Unauthorized'), { status: 401 }), 'create a sandbox');
    expect(ConfigurationError.isInstance(auth)).toBe(true);
    expect((auth as ConfigurationError).code).toBe('invalid-api-key');
    expect(auth.message).toBe('Thing rejected the API key (401 Unauthorized). Check THING_API_KEY.');
    const other = startupError(new Error('no capacity'), 'create a sandbox');
    expect(SandboxError.isInstance(other)).toBe(true);
    expect(other).toMatchObject({ code: 'startup-failed', sandbox: 'thing', message: 'Could not create a sandbox: no capacity' });
  });
});

describe('startupStep', () => {
  const startupError = startupErrorFor({ sandbox: 'thing', isAuthError: () => false, rejected: 'refused', fix: 'Fix it.' });
  const common = { startupError, abortMessage: 'Creating the thing session was aborted.' };

  it('returns the value of a step that succeeds', async () => {
    expect(await startupStep(Promise.resolve(42), { ...common, step: 'count' })).toBe(42);
  });

  it('runs onFailure (ignoring its own error) and throws the mapped error', async () => {
    const freed: string[] = [];
    const failure = startupStep(Promise.reject(new Error('quota')), {
      ...common,
      step: 'create a thing',
      onFailure: (error) => {
        freed.push((error as Error).message);
        throw new Error('cleanup failed too');
      },
    });
    await expect(failure).rejects.toMatchObject({ code: 'startup-failed', message: 'Could not create a thing: quota' });
    expect(freed).toEqual(['quota']);
  });

  it('rejects with RLMAbortError on abort and frees a late result with onLate', async () => {
    const controller = new AbortController();
    let finish: (value: string) => void = () => undefined;
    const late: string[] = [];
    const step = startupStep(new Promise<string>((resolve) => (finish = resolve)), {
      ...common,
      step: 'create a thing',
      abortSignal: controller.signal,
      onLate: (value) => late.push(value),
    });
    controller.abort();
    const error = await step.catch((caught: unknown) => caught);
    expect(RLMAbortError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Creating the thing session was aborted.');
    finish('sandbox-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toEqual(['sandbox-1']);
  });
});
