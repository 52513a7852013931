import { DaytonaGoneError, DaytonaNotFoundError } from '@daytonaio/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeDaytonaClient } from '../src/testing/index.js';

const client = new FakeDaytonaClient();
afterAll(() => client.deleteAll());

describe('FakeDaytonaClient (SDK fidelity)', () => {
  it('streams session command logs line by line and echoes input unless suppressed', async () => {
    const sandbox = await client.create();
    await sandbox.process.createSession('s');
    const echoing = await sandbox.process.executeSessionCommand('s', { command: 'read line; printf "got:$line"', runAsync: true });
    const suppressed = await sandbox.process.executeSessionCommand('s', {
      command: 'read line; printf "got:$line"',
      runAsync: true,
      suppressInputEcho: true,
    });
    await sandbox.process.sendSessionCommandInput('s', echoing.cmdId, 'héllo');
    await sandbox.process.sendSessionCommandInput('s', suppressed.cmdId, 'wörld\n');
    const chunks: string[] = [];
    await sandbox.process.getSessionCommandLogs('s', echoing.cmdId, (text) => chunks.push(text), () => {});
    expect(chunks).toEqual(['héllo\n', 'got:héllo\n']); // input echoed; a final partial line gets a newline
    await sandbox.process.getSessionCommandLogs('s', suppressed.cmdId, () => {}, () => {}); // resolves when it ends
    const logs = await sandbox.process.getSessionCommandLogs('s', suppressed.cmdId);
    expect(logs).toMatchObject({ stdout: 'got:wörld\n', stderr: '' });
    expect((await sandbox.process.getSessionCommand('s', suppressed.cmdId)).exitCode).toBe(0);
    await expect(sandbox.process.sendSessionCommandInput('s', suppressed.cmdId, 'late')).rejects.toBeInstanceOf(DaytonaGoneError);
  });

  it('answers unknown sessions with DaytonaNotFoundError and runs one-shot commands in a cwd', async () => {
    const sandbox = await client.create();
    await expect(sandbox.process.executeSessionCommand('nope', { command: 'true' })).rejects.toBeInstanceOf(DaytonaNotFoundError);
    await sandbox.fs.uploadFileStream(new TextEncoder().encode('x'), 'sub/file.txt');
    const response = await sandbox.process.executeCommand('ls; exit 4', 'sub');
    expect(response).toMatchObject({ exitCode: 4, result: 'file.txt\n' });
    await sandbox.delete();
    await expect(sandbox.getWorkDir()).rejects.toBeInstanceOf(DaytonaNotFoundError);
  });
});
