import { InvalidError, NotFoundError } from 'modal';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeModalClient } from '../src/testing/index.js';

const client = new FakeModalClient();
afterAll(() => client.terminateAll());

async function newSandbox() {
  const app = await client.apps.fromName('fidelity', { createIfMissing: true });
  return client.sandboxes.create(app, client.images.fromRegistry('python:3.13-slim'), {});
}

describe('FakeModalClient (SDK fidelity)', () => {
  it('looks up apps like the SDK: NotFoundError unless createIfMissing', async () => {
    await expect(client.apps.fromName('missing-app')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('execs argv with binary stdin/stdout streams in workdir, and wait() reports 128 + signal', async () => {
    const sandbox = await newSandbox();
    await sandbox.filesystem.writeBytes(new TextEncoder().encode('data'), '/work/dir/in.txt');
    const process = await sandbox.exec(['sh', '-c', 'cat in.txt; head -c 4'], { mode: 'binary', workdir: '/work/dir' });
    const writer = process.stdin.getWriter();
    await writer.write(new TextEncoder().encode('more'));
    await writer.close();
    expect(new TextDecoder().decode(await process.stdout.readBytes())).toBe('datamore');
    expect(await process.wait()).toBe(0);
    const killed = await sandbox.exec(['sh', '-c', 'kill -KILL $$'], { mode: 'binary' });
    expect(await killed.wait()).toBe(137);
  });

  it('enforces absolute paths and refuses work after terminate()', async () => {
    const sandbox = await newSandbox();
    await expect(sandbox.filesystem.writeBytes(new Uint8Array(1), 'relative.txt')).rejects.toBeInstanceOf(InvalidError);
    await expect(sandbox.exec(['true'], { mode: 'binary', workdir: 'relative' })).rejects.toBeInstanceOf(InvalidError);
    await sandbox.terminate();
    await expect(sandbox.exec(['true'], { mode: 'binary' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
