/**
 * End to end with a real Python REPL (@rlms/sandbox-local): AI SDK mock models drive an RLM over
 * a 10 MB context. The root model's code greps the context, calls llm_query_batched on chunks of
 * the hits and finishes with FINAL_VAR.
 */
import { createRLM } from '@rlms/core';
import { trackSandbox } from '@rlms/core/testing';
import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterAll, describe, expect, it } from 'vitest';
import { createRLMModel, fromAISDK, rlmTool } from '../src/index.js';
import { delay, promptText, repl, scriptedLanguageModel, v4Usage } from './helpers.js';

// The core end-to-end suite, its root model being a MockLanguageModelV4 behind fromAISDK.
testRLMEndToEnd({
  name: 'fromAISDK(MockLanguageModelV4) + local sandbox',
  sandbox: () => createLocalSandbox(),
  rootModel: (replies) => fromAISDK(scriptedLanguageModel({ modelId: 'root', replies })),
  scenarios: 'main',
});

const TEN_MB = 10 * 1024 * 1024;

function buildLog(): string {
  const services = ['billing', 'auth', 'search'];
  const parts: string[] = [];
  let size = 0;
  for (let index = 0; size < TEN_MB; index++) {
    const line =
      index % 25_000 === 12_345
        ? `2025-03-01T10:${String(index % 60).padStart(2, '0')}:00 ERROR service=${services[(index / 25_000) % 3 | 0]} upstream timeout id=${index}\n`
        : `2025-03-01T10:${String(index % 60).padStart(2, '0')}:00 INFO service=web request ok id=${String(index).padStart(8, '0')}\n`;
    parts.push(line);
    size += line.length;
  }
  return parts.join('');
}

const CONTEXT = buildLog();
const ERROR_LINES = CONTEXT.split('\n').filter((line) => line.includes(' ERROR ')).length;

const GREP_AND_BATCH = `import re
lines = [m.group(0) for m in re.finditer(r"^.* ERROR .*$", context, re.M)]
chunks = ["\\n".join(lines[i:i + 2]) for i in range(0, len(lines), 2)]
answers = llm_query_batched([f"Which services failed in these log lines?\\n{chunk}" for chunk in chunks])
answer = ", ".join(sorted({name.strip() for reply in answers for name in reply.split(",") if name.strip()}))
print(len(context), len(lines), len(chunks), answer)`;

function models() {
  const root = scriptedLanguageModel({ modelId: 'root', replies: [repl(GREP_AND_BATCH), repl('FINAL_VAR("answer")')] });
  const sub = scriptedLanguageModel({
    modelId: 'sub',
    replies: (options) => [...new Set([...promptText(options).matchAll(/service=(\w+)/g)].map((match) => match[1]!))].join(', '),
  });
  return { root, sub };
}

const sandbox = createLocalSandbox();
afterAll(async () => {
  await sandbox.close?.();
});

describe('AI SDK models + local sandbox over a 10 MB context', () => {
  it('fromAISDK models drive createRLM to a completed answer with usage', async () => {
    expect(CONTEXT.length).toBeGreaterThanOrEqual(TEN_MB);
    const { root, sub } = models();
    const rlm = createRLM({ model: fromAISDK(root), subModel: fromAISDK(sub), sandbox });
    const result = await rlm.query({ context: CONTEXT, question: 'Which services logged errors?' });

    expect(result.status, result.statusDetail).toBe('completed');
    expect(result.answer).toBe('auth, billing, search');
    expect(result.iterations).toBe(2);
    const chunks = Math.ceil(ERROR_LINES / 2);
    expect(result.subcalls).toBe(chunks);
    expect(sub.doGenerateCalls).toHaveLength(chunks);
    // The code really ran over the whole context.
    const execution = result.trajectory.steps[0]!.observation.executions[0]!;
    expect(execution.result.stdout).toContain(`${CONTEXT.length} ${ERROR_LINES} ${chunks} auth, billing, search`);
    // Usage of every call, by model.
    expect(result.usage.total.calls).toBe(2 + chunks);
    expect(result.usage.total.inputTokens).toBeGreaterThan(0);
    expect(result.usage.total.outputTokens).toBeGreaterThan(0);
    expect(result.usage.byModel['mock-provider:root']?.calls).toBe(2);
    expect(result.usage.byModel['mock-provider:sub']?.calls).toBe(chunks);
    // The root model never saw the context itself.
    for (const call of root.doGenerateCalls) expect(promptText(call).length).toBeLessThan(50_000);
  });

  it('generateText over createRLMModel answers a 10 MB prompt', async () => {
    const { root, sub } = models();
    const model = createRLMModel({ settings: { model: fromAISDK(root), subModel: fromAISDK(sub), sandbox } });
    const result = await generateText({
      model,
      messages: [{ role: 'user', content: [{ type: 'text', text: CONTEXT }, { type: 'text', text: 'Which services logged errors?' }] }],
    });
    expect(result.text).toBe('auth, billing, search');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.providerMetadata?.rlms).toMatchObject({ status: 'completed', iterations: 2 });
  });

  it('aborting an outer generateText mid-run aborts the RLM tool and frees the Python session', async () => {
    const tracked = trackSandbox(sandbox);
    let subcallStarted!: () => void;
    const started = new Promise<void>((resolve) => (subcallStarted = resolve));
    const root = scriptedLanguageModel({ modelId: 'root', replies: [repl('print(llm_query("take your time"))')] });
    const sub = scriptedLanguageModel({ modelId: 'sub', replies: ['never'], delayMs: 60_000 });
    const logs = rlmTool({
      settings: { model: fromAISDK(root), subModel: fromAISDK(sub), sandbox: tracked },
      context: CONTEXT,
      onEvent: (event) => {
        if (event.type === 'subcall-start') subcallStarted();
      },
    });
    const agent = new MockLanguageModelV4({
      doGenerate: async () => ({
        content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'logs', input: JSON.stringify({ question: 'Errors?' }) }],
        finishReason: { unified: 'tool-calls', raw: undefined },
        usage: v4Usage(10, 5),
        warnings: [],
      }),
    });
    const controller = new AbortController();
    const pending = generateText({ model: agent, tools: { logs }, stopWhen: stepCountIs(2), prompt: 'p', abortSignal: controller.signal });
    await started;
    await delay(10);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(tracked.created).toBe(1);
    expect(tracked.live).toBe(0);
  });
});
