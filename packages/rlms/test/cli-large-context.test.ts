import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type ServerReply, type ServerReplyRequest } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree, runCli } from './cli-helpers.js';
import { isRootRequest, ROOT_TURN_2 } from './scripted-rlm.js';

/** Root turn 1: measure the named log and read its last line. */
const MEASURE_LOG = [
  '```repl',
  'log = context["server.log"]',
  'answer = f"{len(log)} chars, last line: {log.strip().splitlines()[-1]}"',
  'print(answer)',
  '```',
].join('\n');

function measureReplies(request: ServerReplyRequest): ServerReply {
  if (!isRootRequest(request)) return 'unused';
  return request.messages.some((message) => message.role === 'assistant') ? ROOT_TURN_2 : MEASURE_LOG;
}

const LINE = 'INFO 2026-12-04T18:00:00Z GET /api/items 200 12ms request-id=0123456789abcdef\n';
/** A 12 MB log: far over the 1 MiB per-file limit meant for files found in folders. */
const LOG_LINES = Math.ceil((12 * 1024 * 1024) / LINE.length);
const BIG_LOG = `${LINE.repeat(LOG_LINES)}ERROR last line of the log\n`;

let server: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ replies: measureReplies });
  project = await makeTree({ 'logs/notes.md': '# Notes\n' });
  await writeFile(join(project, 'server.log'), BIG_LOG);
  await writeFile(join(project, 'logs', 'huge.log'), 'x'.repeat(2 * 1024 * 1024));
});

afterAll(async () => {
  await server?.close();
  await removeTree(project);
});

describe('rlms ask --context <a large file> (built CLI, local OpenAI-compatible server)', () => {
  it.each([['local'], ['pyodide (default)']])('loads a 12 MB file named on the command line with no extra flag: %s sandbox', async (sandbox) => {
    server.reset();
    const sandboxArgs = sandbox === 'local' ? ['--sandbox', 'local'] : [];
    const run = await runCli(
      ['ask', 'What is the last line of the log?', '--context', 'server.log', '--base-url', server.baseURL, '--model', 'test-model', '--mode', 'rlm', ...sandboxArgs],
      { cwd: project },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('too-large');
    expect(run.stderr).toContain('rlms: context: 1 file');
    expect(run.stdout).toBe(`${BIG_LOG.length} chars, last line: ERROR last line of the log\n`);
  }, 240_000);

  it('skips large files found in a folder and names them with the flag that includes them', async () => {
    server.reset();
    const run = await runCli(
      ['ask', 'What is in the notes?', '--context', 'logs', '--base-url', server.baseURL, '--model', 'test-model', '--mode', 'rlm', '--sandbox', 'local'],
      { cwd: project },
    );
    // The folder's only text file is loaded; the scripted model then fails on the missing key, which is not the point here.
    expect(run.stderr).toContain('rlms: context: 1 file');
    expect(run.stderr).toContain('(skipped 1 too large)');
    expect(run.stderr).toContain('rlms: skipped 1 file over 1,048,576 bytes: huge.log; include them with --max-file-bytes <n>');
  }, 120_000);
});
