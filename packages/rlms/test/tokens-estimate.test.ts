import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { chooseMode, countTokens, countTokensWithin, estimateCost, renderContext, RLM_ESTIMATE_ASSUMPTIONS, tokenizerFor } from '../src/index.js';

const TEXT = 'The session token is verified in auth/login.py, line 42. Données: café, 数据.\n'.repeat(50);

describe('countTokens', () => {
  it('uses the real tokenizer of OpenAI models', () => {
    expect(countTokens(TEXT, 'gpt-4o')).toBe(o200k(TEXT));
    expect(countTokens(TEXT, 'openai:gpt-5-mini')).toBe(o200k(TEXT));
    expect(countTokens(TEXT, 'o3')).toBe(o200k(TEXT));
    expect(countTokens(TEXT, 'gpt-4')).toBe(cl100k(TEXT));
    expect(countTokens(TEXT, 'gpt-3.5-turbo')).toBe(cl100k(TEXT));
    expect(countTokens(TEXT)).toBe(o200k(TEXT));
    expect(countTokens('', 'gpt-4o')).toBe(0);
  });

  it('counts special-token strings as plain text instead of throwing', () => {
    expect(countTokens('before <|endoftext|> after', 'gpt-4o')).toBeGreaterThan(3);
  });

  it('says when the count is an approximation', () => {
    expect(tokenizerFor('gpt-4o')).toMatchObject({ encoding: 'o200k_base', exact: true });
    expect(tokenizerFor('gpt-4-turbo')).toMatchObject({ encoding: 'cl100k_base', exact: true });
    expect(tokenizerFor('anthropic:claude-sonnet-4-5')).toMatchObject({ encoding: 'o200k_base', exact: false });
    expect(tokenizerFor('mit-oasys/rlm-qwen3-8b-v0.1').exact).toBe(false);
    expect(countTokens(TEXT, 'anthropic:claude-sonnet-4-5')).toBe(o200k(TEXT));
  });

  it('countTokensWithin stops at the limit', () => {
    const total = o200k(TEXT);
    expect(countTokensWithin(TEXT, total, 'gpt-4o')).toBe(total);
    expect(countTokensWithin(TEXT, total - 1, 'gpt-4o')).toBe(false);
  });
});

describe('chooseMode', () => {
  it('direct up to half the window, RLM beyond, with the reason', () => {
    expect(chooseMode({ promptTokens: 50_000, windowTokens: 128_000, modelName: 'gpt-4o' })).toMatchObject({ mode: 'direct', fits: true, fitsComfortably: true });
    const crowded = chooseMode({ promptTokens: 100_000, windowTokens: 128_000, modelName: 'gpt-4o' });
    expect(crowded).toMatchObject({ mode: 'rlm', fits: true, fitsComfortably: false });
    expect(crowded.reason).toBe("the prompt (100,000 tokens) fills 78 % of gpt-4o's 128,000-token window; long prompts degrade a direct answer, the RLM reads it through code");
    expect(chooseMode({ promptTokens: 126_000, windowTokens: 128_000, modelName: 'gpt-4o' })).toMatchObject({ mode: 'rlm', fits: false });
    expect(chooseMode({ promptTokens: 100_000, windowTokens: 128_000, modelName: 'gpt-4o', directMaxFraction: 0.9 }).mode).toBe('direct');
    const unknown = chooseMode({ promptTokens: 10_000, windowTokens: undefined, modelName: 'local' });
    expect(unknown.mode).toBe('direct');
    expect(unknown.reason).toContain("an assumed 32,768-token window (local's is unknown; set contextWindowTokens)");
  });
});

describe('renderContext', () => {
  it('renders strings as is, documents and items with their names, records as JSON', () => {
    expect(renderContext('plain')).toBe('plain');
    expect(renderContext({ 'a.md': 'A', 'weird "name".txt': 'B' })).toBe('<document name="a.md">\nA\n</document>\n\n<document name="weird &quot;name&quot;.txt">\nB\n</document>');
    expect(renderContext(['x', { id: 1 }])).toBe('<item index="0">\nx\n</item>\n\n<item index="1">\n{"id":1}\n</item>');
    expect(renderContext({ rows: [{ a: 1 }, { a: 2 }] })).toBe('<document name="rows">\n{"a":1}\n{"a":2}\n</document>');
    expect(renderContext({ format: 'text', bytes: new TextEncoder().encode('bytes') })).toBe('bytes');
  });
});

describe('estimateCost', () => {
  it('prices a direct call and an RLM run from the OpenAI tables, with the stated assumptions', async () => {
    const context = { 'a.txt': TEXT };
    const estimate = await estimateCost({ context, model: 'gpt-4o', subModel: 'gpt-4o-mini', question: 'Where is the token verified?' });
    const tokens = o200k(renderContext(context));
    expect(estimate.contextTokens).toBe(tokens);
    expect(estimate.tokenizer.exact).toBe(true);
    expect(estimate.contextWindowTokens).toBe(128_000);
    expect(estimate.fits).toBe(true);
    expect(estimate.recommendation.mode).toBe('direct');
    expect(estimate.pricing.model).toMatchObject({ inputPerMillion: 2.5, outputPerMillion: 10 });
    expect(estimate.pricing.subModel).toMatchObject({ inputPerMillion: 0.15, outputPerMillion: 0.6 });
    const a = RLM_ESTIMATE_ASSUMPTIONS;
    const directLow = (estimate.direct.inputTokens * 2.5 + a.directOutputTokens.low * 10) / 1e6;
    expect(estimate.direct.costUsd!.low).toBeCloseTo(directLow, 10);
    expect(estimate.direct.inputTokens).toBeGreaterThan(tokens);
    // RLM low: 3 root turns (2,000 + history) on gpt-4o, one sub-call reading 10 % on gpt-4o-mini.
    const rootInput = 3 * a.rootBaseTokens + a.rootHistoryTokensPerTurn * 3;
    const read = Math.ceil(tokens * 0.1);
    const expectedLow = (rootInput * 2.5 + 3 * a.rootOutputTokensPerTurn * 10) / 1e6 + ((read + a.subcallOverheadTokens) * 0.15 + a.subcallOutputTokens.low * 0.6) / 1e6;
    expect(estimate.rlm.costUsd!.low).toBeCloseTo(expectedLow, 10);
    expect(estimate.rlm.costUsd!.high).toBeGreaterThan(estimate.rlm.costUsd!.low);
    expect(estimate.rlm.subcalls).toEqual({ low: 1, high: 1 });
    expect(estimate.assumptions.join('\n')).toContain('sub-calls read 10–30 % of the context');
  });

  it('a context over the window: does not fit, RLM recommended, sub-calls sized by the sub-model window', async () => {
    const estimate = await estimateCost({ context: 'word '.repeat(30_000), model: 'my-model', contextWindowTokens: 8_000, subModelContextWindowTokens: 4_000 });
    expect(estimate.fits).toBe(false);
    expect(estimate.recommendation.mode).toBe('rlm');
    expect(estimate.direct.costUsd).toBeUndefined();
    expect(estimate.rlm.costUsd).toBeUndefined();
    expect(estimate.tokenizer.exact).toBe(false);
    const chunk = 2_000;
    expect(estimate.rlm.subcalls).toEqual({ low: Math.ceil(Math.ceil(estimate.contextTokens * 0.1) / chunk), high: Math.ceil(Math.ceil(estimate.contextTokens * 0.3) / chunk) });
    const priced = await estimateCost({ context: 'word', model: 'my-model', pricing: { 'my-model': { inputPerMillion: 1, outputPerMillion: 1 } } });
    expect(priced.direct.costUsd).toBeDefined();
    expect(priced.fits).toBeUndefined();
    await expect(estimateCost({ context: 'x', directMaxFraction: 2 })).rejects.toThrow('`directMaxFraction` must be in (0, 1]');
  });
});
