import { CommandExitError, TimeoutError } from 'e2b';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeE2BSandboxFactory } from '../src/testing/index.js';

const factory = createFakeE2BSandboxFactory();
afterAll(() => factory.killAll());

describe('FakeE2BSandbox (SDK fidelity)', () => {
  it('runs background commands with stdin and streams decoded stdout', async () => {
    const sandbox = await factory.create({ metadata: { a: 'b' } });
    const chunks: string[] = [];
    const handle = await sandbox.commands.run('exec python3 -u -c "import sys\nfor l in sys.stdin: print(l.strip()[::-1], flush=True)"', {
      background: true,
      stdin: true,
      timeoutMs: 0,
      onStdout: (text) => {
        chunks.push(text);
      },
    });
    await handle.sendStdin('héllo\n');
    await handle.sendStdin(new TextEncoder().encode('wörld\n'));
    await expect.poll(() => chunks.join('')).toBe('olléh\ndlröw\n');
    await handle.kill();
    await expect(handle.wait()).rejects.toBeInstanceOf(CommandExitError);
  });

  it('maps absolute paths into its private root and runs commands in cwd', async () => {
    const sandbox = await factory.create({});
    await sandbox.files.write('/tmp/x/hello.txt', 'hi there');
    const result = await sandbox.commands.run('cat hello.txt && echo "$HOME"', { cwd: '/tmp/x' });
    expect(result.stdout).toContain('hi there');
    expect(result.stdout).toContain(sandbox.local.root);
    await expect(sandbox.commands.run('exit 3')).rejects.toMatchObject({ exitCode: 3 });
  });

  it('enforces the default 60 s command timeout unless timeoutMs is 0, and dies with kill()', async () => {
    const sandbox = await factory.create({});
    const handle = await sandbox.commands.run('sleep 5', { background: true, timeoutMs: 50 });
    await expect(handle.wait()).rejects.toBeInstanceOf(TimeoutError);
    expect(await sandbox.kill()).toBe(true);
    expect(await sandbox.kill()).toBe(false);
    await expect(sandbox.commands.run('true')).rejects.toBeInstanceOf(TimeoutError);
  });
});
