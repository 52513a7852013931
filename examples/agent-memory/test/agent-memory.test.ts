/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server: four user messages, four turns of one RLM session over the
 * 3,000-message history in the Pyodide sandbox. The test checks that each reply uses the latest
 * version of each fact (with the right message ids), ignores facts about other people, and that the
 * third turn builds on the first two through the REPL's `history`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { FACTS, generateHistory } from '../generate-history.ts';
import { reply } from './scripted-model.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);

describe('examples/agent-memory', () => {
  it('answers four messages from one session, with the latest facts and earlier turns', async () => {
    const { stdout, stderr } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandbox', 'pyodide']);
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
    const folder = await mkdtemp(join(tmpdir(), 'rlms-agent-memory-'));
    const { code, stdout } = await runScriptedExample(
      EXAMPLE_DIR,
      reply,
      ['--sandbox', 'local', '--interactive', '--quiet', '--save-trajectory', join(folder, 'chat.json')],
      { stdin: "What's my dog's name again?\n\n" },
    );
    expect(code).toBe(0);
    // --save-trajectory saves each turn of the session in its own file.
    const saved = JSON.parse(await readFile(join(folder, 'chat.turn-1.json'), 'utf8')) as { result: { status: string } };
    expect(saved.result.status).toBe('completed');
    await rm(folder, { recursive: true, force: true });
    expect(stdout).toMatch(/^you> agent> Here is what I remember/m);
    expect(stdout).toContain('- dog name: Biscuit');
    expect(stdout).toMatch(/^session: 1 turn over one sandbox; usage: completed · 3 root calls/m);
  });
});
