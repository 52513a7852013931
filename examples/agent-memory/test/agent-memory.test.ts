/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server: four user messages, four turns of one RLM session over the
 * 3,000-message history in the Pyodide sandbox. The test checks that each reply uses the latest
 * version of each fact (with the right message ids), ignores facts about other people, and that the
 * third turn builds on the first two through the REPL's `history`.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { FACTS, generateHistory } from '../generate-history.ts';
import { reply } from './scripted-model.ts';

const run = promisify(execFile);
const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

function environment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  return env;
}

let server: OpenAICompatibleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('examples/agent-memory', () => {
  it('answers four messages from one session, with the latest facts and earlier turns', async () => {
    server = await startOpenAICompatibleServer({ replies: reply });
    const { stdout, stderr } = await run(
      process.execPath,
      ['index.ts', '--base-url', server.baseURL, '--model', 'scripted', '--sandbox', 'pyodide'],
      { cwd: EXAMPLE_DIR, env: environment(), timeout: 60_000 },
    );
    server.assertNoFailures();
    const history = generateHistory();
    const idOf = (text: string) => history.find((message) => message.text === text)!.id;
    const fact = (index: number) => ({ id: idOf(FACTS[index]!.text), date: FACTS[index]!.date });

    const turns = stdout.split(/^you> /m).slice(1);
    expect(turns).toHaveLength(4);
    const [dinner = '', lisbon = '', checklist = '', dog = ''] = turns;

    expect(dinner).toContain(`- diet: pescatarian (eats fish again) (you said so on ${fact(7).date}, ${fact(7).id}); this replaces: vegetarian (${fact(1).date})`);
    expect(dinner).toContain(`- allergy: Alex: peanuts and tree nuts (you said so on ${fact(9).date}, ${fact(9).id}); this replaces: Alex: peanuts (${fact(2).date})`);
    expect(dinner).toContain(`- anniversary: 14 September (you said so on ${fact(4).date}, ${fact(4).id})`);
    expect(dinner).toContain(`- budget: restaurant dinners under €80 for two (you said so on ${fact(5).date}, ${fact(5).id})`);
    expect(dinner).not.toMatch(/vegan/);

    expect(lisbon).toContain(
      `- trip: Lisbon, 12 to 19 September (you said so on ${fact(11).date}, ${fact(11).id}); this replaces: Lisbon, 3 to 10 June (${fact(3).date}); Lisbon, 9 to 16 September (${fact(8).date})`,
    );
    expect(lisbon).not.toContain('May');

    expect(checklist).toContain('- [ ] diet: pescatarian (eats fish again)');
    expect(checklist).toContain('- [ ] trip: Lisbon, 12 to 19 September');
    expect(checklist).toContain('Heads-up: your anniversary (14 September) falls during the Lisbon trip (12 to 19 September)');
    expect(stderr).toContain('2 earlier turns:');

    expect(dog).toContain(`- dog name: Biscuit (you said so on ${fact(0).date}, ${fact(0).id})`);
    expect(dog).toContain(`- dog birthday: 2 August (turns 4) (you said so on ${fact(12).date}, ${fact(12).id})`);

    // 3 root calls for the first message (probe, search, finish), 2 for each later one.
    expect(stdout).toMatch(/^ {7}turn 1 usage: completed · 3 root calls, \d+ sub-calls/m);
    expect(stdout).toMatch(/^ {7}turn 3 usage: completed · 2 root calls, 1 sub-calls/m);
    expect(stdout).toMatch(/^session: 4 turns over one sandbox; usage: completed · 9 root calls, \d+ sub-calls/m);
    expect(stderr).toMatch(/history: 3,000 messages from 2025-01-0\d to 2025-06-30/);
  });

  it('chats on stdin with --interactive until the input ends', async () => {
    server = await startOpenAICompatibleServer({ replies: reply });
    const child = spawn(process.execPath, ['index.ts', '--base-url', server.baseURL, '--model', 'scripted', '--sandbox', 'local', '--interactive', '--quiet'], {
      cwd: EXAMPLE_DIR,
      env: environment(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stdin.end("What's my dog's name again?\n\n");
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    server.assertNoFailures();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^you> agent> Here is what I remember/m);
    expect(stdout).toContain('- dog name: Biscuit');
    expect(stdout).toMatch(/^session: 1 turn over one sandbox; usage: completed · 3 root calls/m);
  });
});
