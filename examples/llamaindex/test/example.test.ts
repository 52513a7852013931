import { startOpenAICompatibleServer, type ServerReplyRequest } from '@rlms/openai/testing';
import { runExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';

const EXAMPLE_DIR = new URL('..', import.meta.url);

/** Root calls (with a system prompt) follow a script; sub-calls answer from the document they get. */
function replies(): (request: ServerReplyRequest) => string {
  let root = 0;
  return ({ systemPrompt, lastUserMessage = '' }) => {
    if (systemPrompt === undefined) {
      if (lastUserMessage.includes('exponential')) return 'billing-service.md: exponential backoff, 5 attempts, full jitter';
      if (lastUserMessage.includes('no retries')) return 'search-service.md: no retries, degraded empty page';
      if (lastUserMessage.includes('from 3 to 5 attempts')) return 'changelog.md: billing went from 3 to 5 attempts in 2.3.0';
      return 'not about retries';
    }
    root++;
    if (root === 1) return 'Let me find the documents about retries.\n```repl\nhits = [name for name, text in context.items() if "retry policy" in text]\nprint(hits)\n```';
    return '```repl\nnotes = llm_query_batched(["What does this say about retries?\\n" + context[name] for name in hits])\nFINAL("; ".join(notes))\n```';
  };
}

describe('examples/llamaindex', () => {
  it('answers over ./docs through a local OpenAI-compatible server, with progress and sources', async () => {
    await using server = await startOpenAICompatibleServer({ replies: replies() });
    // runExample's environment has neither OPENAI_API_KEY nor OPENAI_BASE_URL: --base-url alone must do.
    const { code, stdout, stderr } = await runExample(EXAMPLE_DIR, ['--base-url', server.baseURL, '--model', 'test-model'], { timeoutMs: 90_000 });

    expect(stderr).toContain('· Run started (context: 5 documents');
    expect(stderr).toContain('· Iteration 2: running code block 1.');
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(
      'billing-service.md: exponential backoff, 5 attempts, full jitter; changelog.md: billing went from 3 to 5 attempts in 2.3.0; search-service.md: no retries, degraded empty page',
    );
    expect(stdout).toContain('Sources: billing-service.md, changelog.md, search-service.md');
    expect(stdout).toMatch(/Status: completed, 2 iterations, 3 sub-calls, [\d,]+ tokens/);
    server.assertNoFailures();
    expect(server.modelRequests).toHaveLength(5);
    expect(server.modelRequests.filter((request) => request.stream)).toHaveLength(0);
  });

  it('says what to set when there is neither an API key nor a base URL', async () => {
    const { code, stderr } = await runExample(EXAMPLE_DIR, [], { timeoutMs: 90_000 });
    expect(code).toBe(1);
    expect(stderr).toContain('Set OPENAI_API_KEY, or pass --base-url');
  });
});
