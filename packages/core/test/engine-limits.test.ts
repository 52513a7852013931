/**
 * Budgets that hold for any text, and the default limits on sub-calls, sub-call prompts and stored
 * trajectory texts (security issue 19, findings 6 and 7).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Budget } from '../src/engine/accounting/budget.js';
import { LimitLog } from '../src/engine/accounting/limit-log.js';
import { resolveSettings } from '../src/engine/api/resolve-settings.js';
import { checkPromptSize, pickSubModel } from '../src/engine/run/subcall-guards.js';
import { MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS, estimateTokens, promptTokenUpperBound, tokenUpperBound } from '../src/engine/accounting/token-bounds.js';
import { TrajectoryTexts, jsonFitsWithin } from '../src/engine/record/trajectory-text.js';
import { createRLM, type RLMSettings } from '../src/index.js';
import { MockModel } from '../src/testing/index.js';
// The local sandbox is a sibling workspace package; importing its source keeps core free of a dependency cycle.
import { createLocalSandbox } from '../../sandbox-local/src/index.js';

const sandbox = createLocalSandbox();
afterAll(() => sandbox.close?.());

/** Deterministic text of `chars` characters from U+0100–U+05FF (2 UTF-8 bytes each). */
function twoByteText(chars: number, seed: number): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < chars; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    text += String.fromCharCode(0x100 + (state % 0x500));
  }
  return text;
}

describe('token bounds', () => {
  it('bounds tokens by UTF-8 bytes: 4× the typical estimate for 2-byte text, plus the chat format per message', () => {
    const text = twoByteText(1_000, 1);
    expect(tokenUpperBound(text)).toBe(2_000);
    expect(estimateTokens(text)).toBe(500);
    expect(tokenUpperBound('日本語')).toBe(9);
    expect(tokenUpperBound('😀')).toBe(4);
    const messages = [{ content: 'abc' }, { content: text }];
    expect(promptTokenUpperBound(messages)).toBe(3 + 2_000 + 2 * MESSAGE_OVERHEAD_TOKENS + REQUEST_OVERHEAD_TOKENS);
  });
});

describe('Budget with upper-bound reservations', () => {
  const signal = new AbortController().signal;

  it('keeps calls started together within the limit whatever their real token count, overshooting by at most the one call started alone', async () => {
    // 64 prompts whose real count is their byte count (the worst any byte-level tokenizer does),
    // 4× the typical estimate the budget used to reserve.
    const max = 20_000;
    const budget = new Budget({ maxTotalTokens: max }, signal);
    let inFlight = 0;
    let peak = 0;
    const calls = Array.from({ length: 64 }, async (_, index) => {
      const prompt = twoByteText(1_000, index + 1);
      const messages = [{ content: prompt }];
      const reservation = await budget.reserve({
        model: 'mock:sub',
        promptTokens: promptTokenUpperBound(messages),
        promptEstimate: estimateTokens(prompt),
        maxOutputTokens: 10,
        signal,
      });
      if (typeof reservation === 'string') return 0;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const tokens = tokenUpperBound(prompt) + 10;
      budget.charge({ model: 'mock:sub', tokens, outputTokens: 10, costUsd: undefined, estimated: false });
      inFlight--;
      reservation.release();
      return tokens;
    });
    const spent = (await Promise.all(calls)).reduce((sum, tokens) => sum + tokens, 0);
    expect(peak).toBeGreaterThan(1);
    expect(spent).toBeGreaterThan(max * 0.8);
    expect(spent).toBeLessThanOrEqual(max + 2_010);
    expect(budget.check()).toBe('budget_exhausted');
  });

  it('refuses a call starting alone only when even its typical estimate is past the limit', async () => {
    const budget = new Budget({ maxTotalTokens: 1_000 }, signal);
    const alone = await budget.reserve({ model: 'mock:m', promptTokens: 3_000, promptEstimate: 800, signal });
    expect(typeof alone).toBe('object');
    const other = new Budget({ maxTotalTokens: 1_000 }, signal);
    expect(await other.reserve({ model: 'mock:m', promptTokens: 5_000, promptEstimate: 1_200, signal })).toBe('budget_exhausted');
    expect(other.detail).toContain('next prompt alone');
  });

  it('scales a learnt cost allowance (no price table) with the tokens a call reserves', async () => {
    const budget = new Budget({ maxCostUsd: 1 }, signal);
    // One call seen: $0.01 for 100 tokens ($0.0001 per token).
    budget.charge({ model: 'mock:m', tokens: 100, outputTokens: 10, costUsd: 0.01, estimated: false });
    const small = await budget.reserve({ model: 'mock:m', promptTokens: 50, maxOutputTokens: 10, signal });
    expect(typeof small).toBe('object');
    // 10,000 tokens may cost $1.00: not "the largest cost seen" ($0.01), so it waits for the small call.
    let started = false;
    const big = budget.reserve({ model: 'mock:m', promptTokens: 9_990, maxOutputTokens: 10, signal }).then((reservation) => {
      started = true;
      return reservation;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toBe(false);
    (small as { release(): void }).release();
    expect(typeof (await big)).toBe('object');
  });

  it('counts sub-calls to maxSubcalls, then refuses them and stops the tree at its next check', () => {
    const budget = new Budget({ maxSubcalls: 3 }, signal);
    expect([budget.admitSubcall(), budget.admitSubcall(), budget.admitSubcall()]).toEqual([true, true, true]);
    expect(budget.admitSubcall()).toBe('maxSubcalls');
    expect(budget.admitSubcall()).toBe('maxSubcalls');
    expect(budget.check()).toBe('budget_exhausted');
    expect(budget.detail).toContain('maxSubcalls (3 sub-calls per run tree) was reached');
  });
});

describe('LimitLog', () => {
  it('counts refusals per setting, in its run and every ancestor', () => {
    const root = new LimitLog();
    const child = new LimitLog(root);
    child.record('maxSubcalls', 10);
    child.record('maxSubcalls', 10);
    root.record('maxTrajectoryTextChars', 500);
    expect(child.list()).toEqual([{ setting: 'maxSubcalls', limit: 10, times: 2 }]);
    expect(root.list()).toEqual([
      { setting: 'maxSubcalls', limit: 10, times: 2 },
      { setting: 'maxTrajectoryTextChars', limit: 500, times: 1 },
    ]);
  });
});

describe('TrajectoryTexts', () => {
  it('stores head + tail with a note of what was cut, and reports each cut', () => {
    let cuts = 0;
    const texts = new TrajectoryTexts(100, () => cuts++);
    expect(texts.text('short')).toBe('short');
    const stored = texts.text('a'.repeat(1_000) + 'b'.repeat(1_000));
    expect(stored.startsWith('a'.repeat(50))).toBe(true);
    expect(stored.endsWith('b'.repeat(50))).toBe(true);
    expect(stored).toContain('[1900 characters truncated]');
    expect(stored.length).toBeLessThan(200);
    expect(texts.preview('x'.repeat(150), 20).length).toBeLessThan(70);
    expect(cuts).toBe(1);
  });

  it('keeps a JSON value only when it fits, measuring no further than the limit', () => {
    expect(jsonFitsWithin({ a: [1, 2, 'three'] }, 100)).toBe(true);
    expect(jsonFitsWithin(Array.from({ length: 1_000_000 }, () => 'x'), 1_000)).toBe(false);
    const texts = new TrajectoryTexts(50, () => undefined);
    expect(texts.value({ ok: true })).toEqual({ ok: true });
    expect(texts.value({ big: 'y'.repeat(100) })).toBeUndefined();
  });
});

describe('sub-call guards', () => {
  const root = new MockModel({ modelId: 'big-root', replies: [] });
  const sub = new MockModel({ modelId: 'small-sub', contextWindowTokens: 1_000, replies: [] });
  const fast = new MockModel({ modelId: 'fast-model', replies: [] });
  const settings = resolveSettings({ model: root, subModel: sub, subModels: { fast }, sandbox, maxSubcallPromptChars: 5_000 } as RLMSettings);

  it('accepts the subModels names and the sub-model id, never the root model id or inherited keys', () => {
    expect(pickSubModel(settings, undefined, 'llm_query')).toBe(sub);
    expect(pickSubModel(settings, 'fast', 'llm_query')).toBe(fast);
    expect(pickSubModel(settings, 'small-sub', 'llm_query')).toBe(sub);
    for (const name of ['big-root', 'fast-model', 'constructor', '__proto__']) {
      const refusal = pickSubModel(settings, name, 'llm_query');
      expect(typeof refusal).toBe('string');
      expect(refusal).toContain('Accepted names: "small-sub", "fast"');
    }
  });

  it('validates the limit settings and applies their defaults', () => {
    const defaults = resolveSettings({ model: root, sandbox } as RLMSettings);
    expect(defaults).toMatchObject({ maxSubcalls: 2_000, maxSubcallPromptChars: 2_000_000, maxTrajectoryTextChars: 200_000 });
    expect(defaults.maxSubcallOutputTokens).toBeUndefined();
    for (const bad of [{ maxSubcalls: 0 }, { maxSubcallPromptChars: 1.5 }, { maxTrajectoryTextChars: 50 }, { maxSubcallOutputTokens: 0 }]) {
      expect(() => resolveSettings({ model: root, sandbox, ...bad } as RLMSettings)).toThrow(new RegExp(Object.keys(bad)[0]!));
    }
  });

  it('refuses prompts past maxSubcallPromptChars (raised) or the sub-model window (returned), without sending them', () => {
    const long = checkPromptSize(settings, fast, 'x'.repeat(5_001), 'llm_query');
    expect(long).toMatchObject({ setting: 'maxSubcallPromptChars', limit: 5_000, delivery: 'raise' });
    expect(long?.message).toContain('more than maxSubcallPromptChars (5,000)');
    expect(checkPromptSize(settings, fast, 'x'.repeat(5_000), 'llm_query')).toBeUndefined();
    const window = checkPromptSize(settings, sub, 'x'.repeat(4_000), 'llm_query');
    expect(window).toMatchObject({ setting: 'contextWindowTokens', limit: 1_000, delivery: 'return' });
    expect(window?.message).toContain('chunks of at most ~2,880 characters');
  });
});

describe('limits in a run (local sandbox)', () => {
  function root(code: string): MockModel {
    return new MockModel({ modelId: 'limits-root', replies: ({ index, prompt }) => (prompt.startsWith('The run must stop now') ? 'FINAL("closing")' : index === 0 ? code : 'FINAL("done")') });
  }

  it('maxSubcalls: refuses sub-calls past the limit in Python, across child runs, and stops the tree with a reported status', async () => {
    const sub = new MockModel({ modelId: 'limits-sub', replies: () => 'ok' });
    const childRoot = '```repl\nfor i in range(3):\n    llm_query("child %d" % i)\nFINAL("child done")\n```';
    const code = [
      '```repl',
      'print(rlm_query("go deeper"))',
      'refused = 0',
      'for i in range(50):',
      '    try:',
      '        llm_query("q %d" % i)',
      '    except RuntimeError as error:',
      '        refused += 1',
      '        message = str(error)',
      'answers = llm_query_batched(["b %d" % i for i in range(5)])',
      'print(refused, sum(a.startswith("Error") for a in answers))',
      'print(message)',
      '```',
    ].join('\n');
    const model = new MockModel({
      modelId: 'limits-root',
      replies: ({ prompt, messages }) => {
        if (prompt.startsWith('The run must stop now')) return 'FINAL("closing")';
        const isChild = messages.some((message) => message.content.includes('go deeper'));
        if (isChild) return childRoot;
        return messages.length <= 2 ? code : 'FINAL("done")';
      },
    });
    const rlm = createRLM({ model, subModel: sub, sandbox, maxDepth: 2, maxSubcalls: 10 });
    const result = await rlm.query({ context: 'c', question: 'q' });
    // 1 rlm_query + 3 child sub-calls + 6 of the loop = 10; 44 + 5 refused.
    expect(sub.calls.length).toBe(9);
    const stdout = result.trajectory.steps[0]!.observation.executions[0]!.result.stdout;
    expect(stdout).toContain('44 5');
    expect(stdout).toContain('maxSubcalls (10)');
    expect(result.status).toBe('budget_exhausted');
    expect(result.statusDetail).toContain('maxSubcalls (10 sub-calls per run tree) was reached');
    expect(result.limitsReached).toEqual([{ setting: 'maxSubcalls', limit: 10, times: 49 }]);
    expect(result.trajectory.result?.limitsReached).toEqual(result.limitsReached);
    expect(result.subcalls).toBe(10);
    expect(result.trajectory.steps[0]!.subcalls).toHaveLength(7); // refused calls are counted, not recorded one by one
  });

  it('model=: the root model id is refused with a ValueError listing the accepted names', async () => {
    const sub = new MockModel({ modelId: 'limits-sub', replies: () => 'sub answer' });
    const code = '```repl\ntry:\n    llm_query("expensive", model="limits-root")\nexcept ValueError as error:\n    print("ValueError:", error)\nprint(llm_query("cheap", model="limits-sub"))\n```';
    const model = root(code);
    const result = await createRLM({ model, subModel: sub, sandbox }).query({ context: 'c', question: 'q' });
    const stdout = result.trajectory.steps[0]!.observation.executions[0]!.result.stdout;
    expect(stdout).toContain('ValueError: llm_query(): model="limits-root" is not a configured sub-model. Accepted names: "limits-sub"');
    expect(stdout).toContain('sub answer');
    expect(model.calls.every((call) => call.system !== undefined)).toBe(true);
    expect(sub.calls.map((call) => call.prompt)).toEqual(['cheap']);
  });

  it('maxSubcallPromptChars: a longer prompt is refused before it is sent, named in Python and recorded as a short preview', async () => {
    const sub = new MockModel({ modelId: 'limits-sub', replies: () => 'ok' });
    const code = '```repl\ntry:\n    llm_query("x" * 50000)\nexcept ValueError as error:\n    print("ValueError:", error)\nprint(llm_query_batched(["y" * 50000, "short"]))\n```';
    const result = await createRLM({ model: root(code), subModel: sub, sandbox, maxSubcallPromptChars: 10_000 }).query({ context: 'c', question: 'q' });
    const stdout = result.trajectory.steps[0]!.observation.executions[0]!.result.stdout;
    expect(stdout).toContain('ValueError: llm_query(): this prompt has 50,000 characters, more than maxSubcallPromptChars (10,000), so it was not sent');
    expect(stdout).toContain("'ok']");
    expect(sub.calls.map((call) => call.prompt)).toEqual(['short']);
    expect(result.limitsReached).toContainEqual({ setting: 'maxSubcallPromptChars', limit: 10_000, times: 2 });
    const refused = result.trajectory.steps[0]!.subcalls.filter((call) => call.error !== undefined);
    expect(refused).toHaveLength(2);
    for (const call of refused) expect(call.input.length).toBeLessThan(1_100);
  });

  it('maxTrajectoryTextChars: stores replies, prompts, outputs and answers as head + tail, while the REPL and the model get them whole', async () => {
    const sub = new MockModel({ modelId: 'limits-sub', replies: () => 'a'.repeat(30_000) + 'END' });
    const code = '```repl\nreply = llm_query("p" * 20000)\nprint(len(reply), reply[-3:])\nprint("z" * 15000)\nFINAL("w" * 40000)\n```';
    const model = root(code);
    const result = await createRLM({ model, subModel: sub, sandbox, maxTrajectoryTextChars: 1_000, maxOutputChars: 50_000 }).query({ context: 'c', question: 'q' });
    expect(result.status).toBe('completed');
    expect(result.answer).toHaveLength(40_000);
    expect(sub.calls[0]!.prompt).toHaveLength(20_000);
    const step = result.trajectory.steps[0]!;
    const execution = step.observation.executions[0]!;
    expect(execution.result.stdout).toContain('30003 END');
    expect(execution.result.stdout.length).toBeLessThan(1_100);
    expect(execution.result.final?.text.length).toBeLessThan(1_100);
    expect(step.subcalls[0]!.input).toContain('characters truncated');
    expect(step.subcalls[0]!.output.length).toBeLessThan(1_100);
    expect(result.trajectory.result?.answer.length).toBeLessThan(1_100);
    expect(result.limitsReached?.find((limit) => limit.setting === 'maxTrajectoryTextChars')?.times).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(result.trajectory).length).toBeLessThan(20_000);
  });
});
