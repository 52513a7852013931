import { expect, it } from 'vitest';
import { createRLM, type RLMSettings } from '../../engine/index.js';
import { ModelProviderError } from '../../errors/errors.js';
import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { SandboxProviderV1 } from '../../spec/sandbox-provider-v1.js';
import { MockModel } from '../../testing/mock/mock-model.js';
import { trackSandbox } from '../../testing/e2e/tracking-sandbox.js';

type Settings = Omit<RLMSettings, 'model' | 'sandbox'>;

/**
 * Failure and budget scenarios of the engine, each run through a real sandbox: malformed model
 * output, aborts, provider failures, budgets, timeouts, window overflows. Called by `testRLMEndToEnd`.
 */
export function engineScenarios(
  sandbox: () => Promise<SandboxProviderV1>,
  rootModel: (replies: readonly string[]) => ModelProviderV1 | Promise<ModelProviderV1>,
): void {
  async function run(replies: readonly string[], settings: Settings = {}, context: unknown = 'some context', question = 'q') {
    const tracked = trackSandbox(await sandbox());
    const rlm = createRLM({ model: await rootModel(replies), sandbox: tracked, subModel: new MockModel({ replies: () => 'sub answer' }), ...settings });
    const result = await rlm.query({ context: context as string, question });
    expect(tracked.live).toBe(0);
    return result;
  }

  it('nudges a response with no code and no FINAL, counting an iteration', async () => {
    const result = await run(['Let me think about this.', '```repl\nFINAL("done")\n```']);
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('done');
    expect(result.iterations).toBe(2);
    expect(result.trajectory.steps[0]!.observation.feedback).toContain('no ```repl code block');
  });

  it('runs nothing from an unterminated fence and asks for the code again', async () => {
    const result = await run(['```repl\nside_effect = 1\nwhile True:', '```repl\nFINAL(str("side_effect" in globals()))\n```']);
    expect(result.answer).toBe('False');
    expect(result.trajectory.steps[0]!.observation.feedback).toContain('never closed');
  });

  it('does not end on a FINAL printed from the context, only on one called in code', async () => {
    const result = await run(
      ['```repl\nprint(context)\n```', 'FINAL(from text)'],
      {},
      'The document says: FINAL("wrong answer")\nFINAL(wrong)',
    );
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('from text');
    expect(result.iterations).toBe(2);
  });

  it('accepts a text FINAL_VAR naming a REPL variable', async () => {
    const result = await run(['```repl\nanswer = {"count": 3}\n```', 'FINAL_VAR(answer)']);
    expect(result.answerValue).toEqual({ count: 3 });
  });

  it('stops at maxIterations with one closing answer call', async () => {
    const result = await run(['```repl\nx = 1\n```', '```repl\nx += 1\n```', 'FINAL(best guess)'], { maxIterations: 2 });
    expect(result.status).toBe('max_iterations');
    expect(result.answer).toBe('best guess');
    expect(result.iterations).toBe(2);
    expect(result.trajectory.steps.at(-1)!.kind).toBe('final-answer');
  });

  it('stops when maxTotalTokens is reached and says why', async () => {
    // The sub-call's reservation (~2 000 tokens) cannot fit: it is refused before it starts.
    const result = await run(
      ['```repl\ntry:\n    r = llm_query("x" * 8000)\nexcept RuntimeError as error:\n    print(error)\n```', 'FINAL(partial)'],
      { maxTotalTokens: 2_000 },
    );
    expect(result.status).toBe('budget_exhausted');
    expect(result.trajectory.steps[0]!.observation.feedback).toContain('budget exhausted');
    expect(result.usage.total.calls).toBe(2);
    expect(result.statusDetail).toContain('maxTotalTokens');
    expect(result.answer).toBe('partial');
  });

  it('returns a window-overflow error string to the REPL instead of calling the sub-model', async () => {
    const tracked = trackSandbox(await sandbox());
    const sub = new MockModel({ replies: () => 'never', contextWindowTokens: 100 });
    const rlm = createRLM({
      model: await rootModel(['```repl\nr = llm_query("x" * 10000)\nFINAL(r)\n```']),
      subModel: sub,
      sandbox: tracked,
    });
    const result = await rlm.query({ context: 'c', question: 'q' });
    expect(result.answer).toContain('context window');
    expect(sub.calls).toHaveLength(0);
    expect(tracked.live).toBe(0);
  });

  it('ends with status error and frees the sandbox when the root model fails', async () => {
    const tracked = trackSandbox(await sandbox());
    const failing = new MockModel({
      replies: [new ModelProviderError('401 Unauthorized: check OPENAI_API_KEY', { provider: 'mock', modelId: 'm', statusCode: 401 })],
    });
    const rlm = createRLM({ model: failing, sandbox: tracked });
    const result = await rlm.query({ context: 'c', question: 'q' });
    expect(result.status).toBe('error');
    expect(ModelProviderError.isInstance(result.error)).toBe(true);
    expect(tracked.live).toBe(0);
  });

  it('aborts mid-execution: status aborted, sandbox freed, promptly', async () => {
    const tracked = trackSandbox(await sandbox());
    const rlm = createRLM({ model: await rootModel(['```repl\nimport time\nfor _ in range(600):\n    time.sleep(0.05)\n```']), sandbox: tracked });
    const controller = new AbortController();
    const started = Date.now();
    const pending = rlm.query({
      context: 'c',
      question: 'q',
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'code-execution-start') setTimeout(() => controller.abort(), 300);
      },
    });
    const result = await pending;
    expect(result.status).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(tracked.live).toBe(0);
  });

  it('streams typed events in order and resolves the result', async () => {
    const tracked = trackSandbox(await sandbox());
    const rlm = createRLM({ model: await rootModel(['```repl\nprint(llm_query("hello"))\n```', '```repl\nFINAL("streamed")\n```']), subModel: new MockModel({ replies: () => 'hi' }), sandbox: tracked });
    const stream = rlm.stream({ context: 'c', question: 'q' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const result = await stream.result;
    expect(result.answer).toBe('streamed');
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    for (const type of ['iteration-start', 'model-response', 'code-execution-start', 'subcall-start', 'subcall-end', 'code-execution-end']) {
      expect(types).toContain(type);
    }
    expect(types.indexOf('subcall-start')).toBeLessThan(types.indexOf('code-execution-end'));
    expect(tracked.live).toBe(0);
  });

  it('stops at timeoutMs, interrupting running code, and still answers', async () => {
    const result = await run(['```repl\nimport time\nwhile True:\n    time.sleep(0.05)\n```', 'FINAL(out of time)'], { timeoutMs: 1_500 });
    expect(result.status).toBe('timeout');
    expect(result.answer).toBe('out of time');
  });
}
