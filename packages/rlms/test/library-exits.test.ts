import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type ServerReply, type ServerReplyRequest } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree } from './cli-helpers.js';
import { isRootRequest, ROOT_TURN_2 } from './scripted-rlm.js';

/** Root turn 1: list the documents of the `codebase` record. */
const LIST_FILES = '```repl\nanswer = ", ".join(sorted(context["codebase"]))\nprint(answer)\n```';

function listFilesReplies(request: ServerReplyRequest): ServerReply {
  if (!isRootRequest(request)) return 'unused';
  return request.messages.some((message) => message.role === 'assistant') ? ROOT_TURN_2 : LIST_FILES;
}

/** The built `rlms` package, imported by absolute URL as a user's script would import it once installed. */
const RLMS_ENTRY = new URL('../dist/index.js', import.meta.url).href;

/**
 * The README's library snippet (verbose progress, a saved trajectory, two queries so a warm sandbox
 * sits idle between them), with the test server as model endpoint and without `rlm.close()`.
 */
function snippet(baseURL: string, sandbox: string | undefined): string {
  return `import { RecursiveLanguageModel, loadDirectory } from ${JSON.stringify(RLMS_ENTRY)};
const rlm = new RecursiveLanguageModel({
  model: { baseURL: ${JSON.stringify(baseURL)}, model: 'test-model' },
  ${sandbox === undefined ? '' : `sandbox: ${JSON.stringify(sandbox)},`}
  apiKey: 'test-key',
  maxDepth: 2, maxIterations: 30, maxTotalTokens: 100_000, timeoutMs: 600_000,
  verbose: true,
});
for (const run of [1, 2]) {
  const result = await rlm.query({
    context: { codebase: await loadDirectory('./src') },
    question: 'Which files are there?',
    mode: 'rlm',
    saveTrajectory: \`./logs/trajectory-\${run}.json\`,
  });
  console.log(JSON.stringify({ status: result.status, answer: result.answer }));
}
`;
}

let server: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ replies: listFilesReplies });
  project = await makeTree({ 'src/auth/login.py': 'def login(user, password):\n    return True\n', 'src/README.md': '# Demo\n' });
});

afterAll(async () => {
  await server?.close();
  await removeTree(project);
});

/** Runs `node script.mjs` in the project and resolves with its exit code and output; killed only as a safety net. */
function runNode(script: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.RLMS_CACHE_DIR === undefined ? {} : { RLMS_CACHE_DIR: process.env.RLMS_CACHE_DIR }) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const safety = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(safety);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('the README library snippet exits on its own without rlm.close()', () => {
  it.each([['default (pyodide)', undefined], ['local', 'local']])('%s sandbox', async (name, sandbox) => {
    server.reset();
    const script = join(project, `snippet-${sandbox ?? 'default'}.mjs`);
    await writeFile(script, snippet(server.baseURL, sandbox));
    const run = await runNode(script);
    expect(run.signal, `killed by the safety net: something kept Node alive\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const answers = run.stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as unknown);
    expect(answers, name).toEqual([1, 2].map(() => ({ status: 'completed', answer: 'README.md, auth/login.py' })));
  }, 180_000);
});
