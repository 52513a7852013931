/**
 * The published `./testing` entries load in plain Node without vitest (issue 21.7): each import runs
 * in a child process whose module resolution refuses `vitest`, against the built `dist/`.
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

/** Module hooks that make any import of `vitest` fail, as in a project that does not install it. */
const WITHOUT_VITEST = `
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'vitest' || specifier.startsWith('vitest/')) throw new Error('vitest is not installed');
    return next(specifier, context);
  },
});
`;

/**
 * Runs `body` as an ES module in `packages/<pkg>` (so the package resolves its own entries by name)
 * with vitest unavailable, and returns what it printed.
 */
async function runWithoutVitest(pkg: string, body: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `${WITHOUT_VITEST}\n${body}`], {
    cwd: join(root, 'packages', pkg),
    timeout: 60_000,
  });
  return stdout.trim();
}

describe('testing entries without vitest', () => {
  it('@rlms/core/testing loads and its MockModel answers', async () => {
    const out = await runWithoutVitest(
      'core',
      `const { MockModel, createFakeHost, trackSandbox, LocalSandboxRoot } = await import('@rlms/core/testing');
       const reply = await new MockModel({ replies: ['scripted answer'] }).generate({ messages: [{ role: 'user', content: 'hi' }] });
       console.log(JSON.stringify({ text: reply.text, helpers: [createFakeHost, trackSandbox, LocalSandboxRoot].map((f) => typeof f) }));`,
    );
    expect(JSON.parse(out)).toEqual({ text: 'scripted answer', helpers: ['function', 'function', 'function'] });
  });

  it('@rlms/openai/testing loads and its server answers a chat completion', async () => {
    const out = await runWithoutVitest(
      'openai',
      `const { startOpenAICompatibleServer } = await import('@rlms/openai/testing');
       const server = await startOpenAICompatibleServer({ replies: ['Paris'] });
       try {
         const response = await fetch(server.baseURL + '/chat/completions', {
           method: 'POST',
           headers: { 'content-type': 'application/json' },
           body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'Capital of France?' }] }),
         });
         const body = await response.json();
         console.log(JSON.stringify({ status: response.status, content: body.choices[0].message.content }));
       } finally {
         await server.close();
       }`,
    );
    expect(JSON.parse(out)).toEqual({ status: 200, content: 'Paris' });
  });

  it('refuses vitest for real: the vitest-bound @rlms/core/conformance entry fails under the same hooks', async () => {
    const out = await runWithoutVitest(
      'core',
      `try {
         await import('@rlms/core/conformance');
         console.log('loaded');
       } catch (error) {
         console.log(error.message);
       }`,
    );
    expect(out).toContain('vitest is not installed');
  });
});
