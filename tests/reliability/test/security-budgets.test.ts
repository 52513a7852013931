/**
 * Security issue 19, findings 6 and 7: budgets that hold for any text, and safe default limits.
 * The attack code runs as model output (MockModel root) through createRLM on real sandboxes.
 *
 * - Budgets overshot 2.74× with multi-byte prompts (real o200k count 3.3× the bytes/4 estimate):
 *   reservations are now an upper bound (UTF-8 bytes), so the bound "one call's worth" holds.
 * - No limits by default: 20,000 sub-calls in one cell, a 300 MiB prompt, sub-calls routed to the
 *   root model with `model=`. Now `maxSubcalls`, `maxSubcallPromptChars`, `maxTrajectoryTextChars`
 *   and a `model=` allow-list stop them, each reported to the model and in the result.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRLM, estimateTokens, type RLMResult, type RLMSettings, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { countTokens } from 'rlms';
import { overshoot } from '../src/call-usage.ts';
import { createProcessMark, findMarkedProcesses } from '../src/leak-check.ts';

const mark = createProcessMark();
const local = createLocalSandbox({ env: mark.env });
const pyodide = createPyodideSandbox({ warmPoolSize: 0 });
afterAll(async () => {
  await Promise.all([local.close(), pyodide.close?.()]);
  expect(findMarkedProcesses(mark)).toEqual([]);
});

const CLOSING = 'The run must stop now';
const MIB = 1024 * 1024;
/** Generous: the 20,000-call loop makes 20,000 host round trips, slow on a busy machine. */
const TEST_TIMEOUT_MS = 300_000;

/** A root model that runs `code` once, then answers (so only a limit ends the run early). */
function attacker(code: string, modelId = 'attack-root'): MockModel {
  return new MockModel({ modelId, replies: ({ index, prompt }) => (prompt.startsWith(CLOSING) ? 'FINAL("closing")' : index === 0 ? code : 'FINAL("done")') });
}

/** Runs one query while sampling this process's RSS; returns the result and the peak growth in bytes. */
async function measured(settings: Partial<RLMSettings> & Pick<RLMSettings, 'model' | 'sandbox'>): Promise<{ result: RLMResult<unknown>; rssGrowth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await createRLM(settings).query({ context: 'attacker-controlled document', question: 'Summarise it.' });
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, rssGrowth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

/** The stdout of the first cell the root model ran. */
function firstOutput(result: RLMResult<unknown>): string {
  return result.trajectory.steps[0]?.observation.executions[0]?.result.stdout ?? '';
}

/** Size of what `rlms ask --json` would print: the result with its trajectory. */
function jsonResultBytes(result: RLMResult<unknown>): number {
  return Buffer.byteLength(JSON.stringify({ ...result, error: undefined }));
}

describe('finding 6: token and cost budgets hold for multi-byte text', { timeout: TEST_TIMEOUT_MS }, () => {
  // 64 prompts of 2,000 random characters from U+0100–U+05FF, as in the finding.
  const BATCH = [
    '```repl',
    'import random',
    'random.seed(6)',
    'prompts = ["".join(chr(random.randint(0x100, 0x5FF)) for _ in range(2000)) for _ in range(64)]',
    'answers = llm_query_batched(prompts)',
    'print(sum(a.startswith("Error") for a in answers), "refused")',
    '```',
  ].join('\n');
  /** Tokens a gpt-4o chat request adds around one user message. */
  const CHAT_OVERHEAD = 7;

  /** A sub-model reporting the prompt's real cost under `tokenizer`. */
  function subModel(modelId: string, tokenizer: (text: string) => number): { model: MockModel; ratios: number[] } {
    const ratios: number[] = [];
    const model = new MockModel({
      modelId,
      replies: ({ prompt }) => {
        const inputTokens = tokenizer(prompt) + CHAT_OVERHEAD;
        ratios.push(inputTokens / estimateTokens(prompt));
        const text = 'noted';
        return { text, delayMs: 20, usage: { inputTokens, outputTokens: 2, totalTokens: inputTokens + 2 } };
      },
    });
    return { model, ratios };
  }

  const tokenizers = {
    'o200k (real count)': (text: string) => countTokens(text, 'gpt-4o'),
    'one token per byte (the worst case)': (text: string) => Buffer.byteLength(text, 'utf8'),
  };

  for (const [name, tokenizer] of Object.entries(tokenizers)) {
    it(`maxTotalTokens 20,000, tokenizer ${name}: at most one call's worth over`, async () => {
      const max = 20_000;
      const { model: sub, ratios } = subModel('multibyte-sub', tokenizer);
      const { result } = await measured({ model: attacker(BATCH), subModel: sub, sandbox: local, maxTotalTokens: max, maxSubcallConcurrency: 16 });
      expect(result.status, result.statusDetail).toBe('budget_exhausted');
      expect(Math.min(...ratios)).toBeGreaterThan(3); // the bytes/4 estimate is more than 3× too low for this text
      const o = overshoot(result);
      console.log(`[security-budgets] ${name}: ${o.totalTokens - o.closingTokens} tokens for a limit of ${max} (largest call ${o.largestCallTokens}, ${sub.calls.length} calls, ${sub.maxInFlight} at once)`);
      expect(o.totalTokens - o.closingTokens).toBeGreaterThan(max * 0.8);
      expect(o.totalTokens - o.closingTokens).toBeLessThanOrEqual(max + o.largestCallTokens);
    });
  }

  it('prompts asking for ever longer replies: with maxSubcallOutputTokens the reply allowance is exact and the bound holds', async () => {
    // The first reply is short, so without an output cap the others are admitted on a tiny learnt
    // allowance and each writes ~4,000 tokens (measured: 72,749 tokens for a 20,000 limit).
    const max = 20_000;
    const code = '```repl\nanswers = llm_query_batched(["say ok"] + ["write 4000 tokens about item %d" % i for i in range(63)])\nprint(len(answers))\n```';
    const sub = new MockModel({
      modelId: 'verbose-sub',
      replies: ({ prompt, options }) => {
        const text = prompt === 'say ok' ? 'ok' : 'word '.repeat(3_200);
        return { text: options.maxOutputTokens === undefined ? text : text.slice(0, options.maxOutputTokens * 4), delayMs: 20 };
      },
    });
    const { result } = await measured({ model: attacker(code), subModel: sub, sandbox: local, maxTotalTokens: max, maxSubcallOutputTokens: 1_000 });
    expect(result.status, result.statusDetail).toBe('budget_exhausted');
    expect(sub.calls.every((call) => call.options.maxOutputTokens === 1_000)).toBe(true);
    const o = overshoot(result);
    expect(o.totalTokens - o.closingTokens).toBeLessThanOrEqual(max + o.largestCallTokens);
  });

  it('maxCostUsd $0.20 with a price table: at most one call\'s worth over', async () => {
    const max = 0.2;
    const { model: sub } = subModel('priced-sub', tokenizers['o200k (real count)']);
    const { result } = await measured({
      model: attacker(BATCH),
      subModel: sub,
      sandbox: local,
      maxCostUsd: max,
      pricing: { 'priced-sub': { inputPerMillion: 10, outputPerMillion: 30 } },
    });
    expect(result.status, result.statusDetail).toBe('budget_exhausted');
    const o = overshoot(result);
    console.log(`[security-budgets] cost: $${(o.totalCostUsd - o.closingCostUsd).toFixed(4)} for a limit of $${max} (largest call $${o.largestCallCostUsd.toFixed(4)})`);
    expect(o.totalCostUsd - o.closingCostUsd).toBeGreaterThan(max * 0.8);
    expect(o.totalCostUsd - o.closingCostUsd).toBeLessThanOrEqual(max + o.largestCallCostUsd + 1e-9);
  });
});

describe('finding 7: safe default limits', { timeout: TEST_TIMEOUT_MS }, () => {
  const sandboxes: Array<{ name: string; sandbox: SandboxProviderV1 }> = [
    { name: 'local', sandbox: local },
    { name: 'pyodide', sandbox: pyodide },
  ];

  it('20,000 llm_query calls in one cell (local): 2,000 are made (the maxSubcalls default), the rest raise, the run ends budget_exhausted', async () => {
    const code = [
      '```repl',
      'refused = 0',
      'for i in range(20000):',
      '    try:',
      '        llm_query("ping %d" % i)',
      '    except RuntimeError as error:',
      '        refused += 1',
      '        last = str(error)',
      'print("refused", refused)',
      'print(last)',
      '```',
    ].join('\n');
    const sub = new MockModel({ modelId: 'flood-sub', replies: () => 'pong' });
    const { result, rssGrowth } = await measured({ model: attacker(code), subModel: sub, sandbox: local });
    expect(sub.calls).toHaveLength(2_000);
    expect(firstOutput(result)).toContain('refused 18000');
    expect(firstOutput(result)).toContain('maxSubcalls (2,000)');
    expect(result.status).toBe('budget_exhausted');
    expect(result.statusDetail).toContain('maxSubcalls (2000 sub-calls per run tree) was reached');
    expect(result.limitsReached).toEqual([{ setting: 'maxSubcalls', limit: 2_000, times: 18_000 }]);
    expect(result.subcalls).toBe(2_000);
    expect(jsonResultBytes(result)).toBeLessThan(2 * MIB);
    console.log(`[security-budgets] 20,000-call loop (local): host RSS +${Math.round(rssGrowth / MIB)} MB, --json result ${Math.round(jsonResultBytes(result) / 1024)} KB`);
    expect(rssGrowth).toBeLessThan(512 * MIB);
  });

  it('llm_query_batched of 20,000 prompts (pyodide): 2,000 are answered, the rest are "Error: …" items naming maxSubcalls', async () => {
    const code = '```repl\nanswers = llm_query_batched(["ping %d" % i for i in range(20000)])\nprint(sum(a == "pong" for a in answers), "answered")\nprint([a for a in answers if a != "pong"][0])\n```';
    const sub = new MockModel({ modelId: 'flood-sub', replies: () => 'pong' });
    const { result, rssGrowth } = await measured({ model: attacker(code), subModel: sub, sandbox: pyodide });
    expect(sub.calls).toHaveLength(2_000);
    expect(firstOutput(result)).toContain('2000 answered');
    expect(firstOutput(result)).toContain('Error: rlms limit reached');
    expect(result.status).toBe('budget_exhausted');
    expect(result.limitsReached).toEqual([{ setting: 'maxSubcalls', limit: 2_000, times: 18_000 }]);
    expect(jsonResultBytes(result)).toBeLessThan(2 * MIB);
    expect(rssGrowth).toBeLessThan(512 * MIB);
  });

  for (const { name, sandbox } of sandboxes) {
    it(`llm_query("y" * 300 MiB) (${name}): never sent, host memory and the saved result stay small`, async () => {
      const code = '```repl\ntry:\n    llm_query("y" * 300 * 2**20)\nexcept Exception as error:\n    print("refused:", type(error).__name__, str(error)[:300])\n```';
      const sub = new MockModel({ modelId: 'big-sub', replies: () => 'ok' });
      const { result, rssGrowth } = await measured({ model: attacker(code), subModel: sub, sandbox });
      expect(sub.calls).toHaveLength(0);
      expect(firstOutput(result)).toMatch(/refused: \w*Error/);
      expect(['completed', 'budget_exhausted']).toContain(result.status);
      console.log(`[security-budgets] 300 MiB prompt (${name}): host RSS +${Math.round(rssGrowth / MIB)} MB, --json result ${Math.round(jsonResultBytes(result) / 1024)} KB`);
      expect(rssGrowth).toBeLessThan(512 * MIB);
      expect(jsonResultBytes(result)).toBeLessThan(MIB);
    });
  }

  it('a prompt just past maxSubcallPromptChars (2,000,001 characters, small enough for one frame) raises a ValueError naming the setting', async () => {
    const code = '```repl\ntry:\n    llm_query("y" * 2_000_001)\nexcept ValueError as error:\n    print("ValueError:", error)\nprint(llm_query("y" * 2_000_000)[:2])\n```';
    const sub = new MockModel({ modelId: 'big-sub', replies: () => 'ok' });
    const { result } = await measured({ model: attacker(code), subModel: sub, sandbox: local });
    expect(firstOutput(result)).toContain('ValueError: llm_query(): this prompt has 2,000,001 characters, more than maxSubcallPromptChars (2,000,000), so it was not sent');
    expect(sub.calls.map((call) => call.prompt.length)).toEqual([2_000_000]);
    expect(result.limitsReached).toContainEqual({ setting: 'maxSubcallPromptChars', limit: 2_000_000, times: 1 });
    expect(result.limitsReached).toContainEqual(expect.objectContaining({ setting: 'maxTrajectoryTextChars', limit: 200_000 }));
    expect(jsonResultBytes(result)).toBeLessThan(MIB);
  });

  for (const { name, sandbox } of sandboxes) {
    it(`model="<the root model id>" (${name}): a ValueError listing the configured sub-models; nothing reaches the root model`, async () => {
      const code = [
        '```repl',
        'for name in ("attack-root", "mock:attack-root", "gpt-5"):',
        '    try:',
        '        llm_query("spend the expensive model", model=name)',
        '    except ValueError as error:',
        '        print("ValueError:", error)',
        'try:',
        '    llm_query_batched(["a", "b"], model="attack-root")',
        'except ValueError as error:',
        '    print("ValueError:", error)',
        'print(llm_query("fine", model="cheap"))',
        '```',
      ].join('\n');
      const model = attacker(code);
      const sub = new MockModel({ modelId: 'cheap-sub', replies: () => 'cheap answer' });
      const { result } = await measured({ model, subModel: sub, subModels: { cheap: sub }, sandbox });
      const output = firstOutput(result);
      expect(output.match(/ValueError: llm_query\(\): model=".*" is not a configured sub-model\. Accepted names: "cheap-sub", "cheap"/g)).toHaveLength(3);
      expect(output).toContain('ValueError: llm_query_batched(): model="attack-root" is not a configured sub-model');
      expect(output).toContain('cheap answer');
      expect(model.calls.filter((call) => call.system === undefined)).toEqual([]);
      expect(sub.calls.map((call) => call.prompt)).toEqual(['fine']);
    });
  }
});
