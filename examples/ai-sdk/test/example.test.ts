/**
 * Runs the example as a user would (`node index.ts --base-url …`) against the local
 * OpenAI-compatible test server: AI SDK models over HTTP drive an RLM whose code runs in a real
 * Python REPL (@rlms/sandbox-local).
 */
import type { ServerReplyRequest } from '@rlms/openai/testing';
import { runExample, runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';

const EXAMPLE_DIR = new URL('..', import.meta.url);

const GREP_CODE = `import re, collections
errors = [line for line in context.split("\\n") if " ERROR " in line]
chunks = ["\\n".join(errors[i:i + 2]) for i in range(0, len(errors), 2)]
causes = llm_query_batched([f"For each log line, write 'service: cause'.\\n{chunk}" for chunk in chunks])
counts = collections.Counter(re.search(r"svc=(\\w+)", line).group(1) for line in errors)
answer = "; ".join(f"{service}: {n}" for service, n in sorted(counts.items())) + "\\n" + "\\n".join(causes)
print(answer)`;

/** Root calls carry the RLM system prompt; sub-calls (llm_query) are a single user message. */
function reply(request: ServerReplyRequest): string {
  if (request.systemPrompt !== undefined) {
    const sawOutput = request.messages.filter((message) => message.role === 'user').length > 1;
    return sawOutput ? '```repl\nFINAL_VAR("answer")\n```' : `\`\`\`repl\n${GREP_CODE}\n\`\`\``;
  }
  const lines = (request.lastUserMessage ?? '').split('\n').filter((line) => line.includes('svc='));
  return lines.map((line) => `${/svc=(\w+)/.exec(line)![1]}: ${/msg="([^"]+)"/.exec(line)![1]}`).join('\n');
}

describe('examples/ai-sdk', () => {
  it('answers over the synthetic logs with the RLM as an AI SDK model', async () => {
    const { stdout, stderr, server } = await runScriptedExample(EXAMPLE_DIR, reply, ['--api-key', 'test-key', '--size-mb', '1'], {
      model: 'test-model',
      server: { models: ['test-model'] },
      timeoutMs: 90_000,
    });
    expect(stdout).toContain('auth: 1; billing: 3; inventory: 1');
    expect(stdout).toContain('billing: upstream timeout after 30000 ms');
    expect(stdout).toContain('inventory: deadlock detected');
    expect(stderr).toMatch(/corpus: 1,04\d,\d{3} characters \(synthetic logs\)/);
    expect(stderr).toContain('Iteration 1: running code block 1.');
    expect(stderr).toMatch(/usage \(whole RLM run\): \d+ input \+ \d+ output tokens; 2 iterations, 3 sub-calls/);
    // 2 root calls + 3 sub-calls went over HTTP, with the key; the root never received the corpus.
    expect(server.modelRequests).toHaveLength(5);
    expect(server.modelRequests.every((request) => request.headers.authorization === 'Bearer test-key')).toBe(true);
    const rootPrompts = server.modelRequests.filter((request) => request.messages?.[0]?.role === 'system');
    expect(rootPrompts).toHaveLength(2);
    for (const request of rootPrompts) expect(JSON.stringify(request.messages).length).toBeLessThan(50_000);
  });

  it('exits with a clear message when no API key or base URL is given', async () => {
    const { code, stderr } = await runExample(EXAMPLE_DIR, [], { timeoutMs: 30_000 });
    expect(code).toBe(2);
    expect(stderr).toContain('set OPENAI_API_KEY, or point --base-url');
  });
});
