/**
 * Runs the example as a user would (`node index.ts --base-url …`) against the local
 * OpenAI-compatible test server: LangChain's ChatOpenAI over HTTP drives RLMChain, whose code runs
 * in a real Python REPL (@rlms/sandbox-local) over 400 release notes.
 */
import type { ServerReplyRequest } from '@rlms/openai/testing';
import { runExample, runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { REFUND_CHANGES, versionOf } from '../release-notes.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);

const ROOT_CODE = `hits = [k for k, v in context.items() if "refund window" in v.lower()]
facts = llm_query_batched([f"Quote the line about the refund window:\\n{context[k]}" for k in hits])
answer = "\\n".join(f"{k}: {fact}" for k, fact in zip(hits, facts))
FINAL_VAR("answer")`;

/** Root calls carry the RLM system prompt; sub-calls (llm_query) are a single user message. */
function reply(request: ServerReplyRequest): string {
  if (request.systemPrompt !== undefined) return `Let me grep the notes.\n\`\`\`repl\n${ROOT_CODE}\n\`\`\``;
  const line = (request.lastUserMessage ?? '').split('\n').find((text) => text.startsWith('- Refund window:'));
  return line === undefined ? 'No refund window change.' : line.slice(2);
}

describe('examples/langchain', () => {
  it('answers from the release notes with RLMChain over ChatOpenAI, citing the notes it used', async () => {
    const { stdout, stderr, server } = await runScriptedExample(EXAMPLE_DIR, reply, ['--api-key', 'test-key'], {
      model: 'test-model',
      server: { models: ['test-model'] },
      timeoutMs: 90_000,
    });
    const versions = [...REFUND_CHANGES.keys()].map(versionOf);
    for (const [index, sentence] of REFUND_CHANGES) expect(stdout).toContain(`releases/v${versionOf(index)}.md#${index}: ${sentence}`);
    expect(stdout).toContain(`Sources:\n${versions.map((version) => `- releases/v${version}.md`).join('\n')}\n`);
    expect(stderr).toMatch(/corpus: 400 documents, [\d,]+ characters/);
    expect(stderr).toContain('Iteration 1: asking the root model.');
    expect(stderr).toContain('Sub-calls started (llm_query_batched to');
    expect(stderr).toMatch(/status: completed; 1 iterations, 3 sub-calls; \d+ input \+ \d+ output tokens over 4 model calls/);
    // 1 root call + 3 sub-calls over HTTP, with the key; the root model never received the corpus.
    expect(server.modelRequests).toHaveLength(4);
    expect(server.modelRequests.every((request) => request.headers.authorization === 'Bearer test-key')).toBe(true);
    const root = server.modelRequests.filter((request) => request.messages?.[0]?.role === 'system' || request.messages?.[0]?.role === 'developer');
    expect(root).toHaveLength(1);
    expect(JSON.stringify(root[0]!.messages).length).toBeLessThan(50_000);
  });

  it('exits with a clear message when no API key or base URL is given', async () => {
    const { code, stderr } = await runExample(EXAMPLE_DIR, [], { timeoutMs: 30_000 });
    expect(code).toBe(2);
    expect(stderr).toContain('set OPENAI_API_KEY, or point --base-url');
  });
});
