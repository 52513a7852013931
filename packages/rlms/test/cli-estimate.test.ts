import { countTokens as tokenizerCount } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree, runCli } from './cli-helpers.js';

/** Deterministic pseudo-random text: prose, identifiers, numbers and code-like lines. */
function generateFile(seed: number, bytes: number): string {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const words = ['the', 'request', 'token', 'session', 'user', 'password', 'hash', 'verify', 'login', 'flow', 'error', 'retry', 'cache', 'naïve', 'café', 'données', '数据', 'сессия', 'async', 'await', 'return', 'const', 'function', 'class', 'import'];
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const kind = next();
    let line: string;
    if (kind < 0.5) line = Array.from({ length: 8 + Math.floor(next() * 12) }, () => words[Math.floor(next() * words.length)]).join(' ') + '.';
    else if (kind < 0.8) line = `  const ${words[Math.floor(next() * words.length)]}_${Math.floor(next() * 1e6)} = await fetch("/api/v${Math.floor(next() * 9)}/${words[Math.floor(next() * words.length)]}", { retries: ${Math.floor(next() * 10)} });`;
    else line = `${Math.floor(next() * 1e9)},${(next() * 1000).toFixed(3)},"${words[Math.floor(next() * words.length)]}, ${words[Math.floor(next() * words.length)]}"`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return lines.join('\n') + '\n';
}

let folder: string;
let expectedTokens = 0;
let totalBytes = 0;

beforeAll(async () => {
  const files: Record<string, string> = {};
  for (let index = 0; index < 50; index++) {
    const text = generateFile(index + 1, 100 * 1024);
    files[`part-${String(index).padStart(2, '0')}/file-${index}.txt`] = text;
    expectedTokens += tokenizerCount(text);
    totalBytes += Buffer.byteLength(text);
  }
  folder = await makeTree(files);
});

afterAll(async () => {
  await removeTree(folder);
});

describe('rlms estimate', () => {
  it('counts a 5 MB folder within 1 % of the tokenizer and recommends an RLM', async () => {
    expect(totalBytes).toBeGreaterThan(5_000_000);
    const run = await runCli(['estimate', '--context', folder, '--model', 'gpt-4o', '--max-file-bytes', '200000']);
    expect(run.code, run.stderr).toBe(0);
    const tokens = Number(/^Tokens:\s+([\d,]+) \(o200k_base, exact for this OpenAI model\)$/m.exec(run.stdout)?.[1]?.replaceAll(',', ''));
    expect(Math.abs(tokens - expectedTokens) / expectedTokens).toBeLessThan(0.01);
    expect(run.stdout).toMatch(/^Context:\s+50 documents, [\d,]+ characters$/m);
    expect(run.stdout).toMatch(/^Window:\s+gpt-4o: 128,000 tokens: does NOT fit \(\d+ % of the window\)$/m);
    expect(run.stdout).toMatch(/^Direct call:\s+\$\d+\.\d+–\$\d+\.\d+ .* — not possible, shown for comparison$/m);
    expect(run.stdout).toMatch(/^RLM run:\s+\$\d+\.\d+–\$\d+\.\d+ \(3–10 root turns on gpt-4o/m);
    expect(run.stdout).toMatch(/^Recommendation: RLM: the prompt \([\d,]+ tokens\) does not fit comfortably in gpt-4o's 128,000-token window\.$/m);
    expect(run.stdout).toContain('sub-calls read 10–30 % of the context');
  });

  it('--json gives the numbers; small inputs get a direct-call recommendation; unknown prices say how to fix', async () => {
    const small = await makeTree({ 'notes.md': 'Meeting notes: ship the login fix on Friday.\n' });
    try {
      const json = await runCli(['estimate', '-c', small, '-m', 'gpt-4o-mini', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const estimate = JSON.parse(json.stdout) as Record<string, any>;
      expect(estimate.documents).toBe(1);
      expect(estimate.contextWindowTokens).toBe(128_000);
      expect(estimate.fits).toBe(true);
      expect(estimate.recommendation.mode).toBe('direct');
      expect(estimate.direct.costUsd.low).toBeLessThan(estimate.direct.costUsd.high);
      expect(estimate.pricing.model).toEqual({ inputPerMillion: 0.15, cachedInputPerMillion: 0.075, outputPerMillion: 0.6 });

      const local = await runCli(['estimate', '-c', small, '-m', 'my-local-model', '--context-window', '32768']);
      expect(local.code, local.stderr).toBe(0);
      expect(local.stdout).toMatch(/^Tokens:\s+\d+ \(approximate: o200k_base/m);
      expect(local.stdout).toMatch(/^Direct call:\s+unknown \(no price for this model: pass --input-price and --output-price\)/m);

      const priced = await runCli(['estimate', '-c', small, '-m', 'my-local-model', '--input-price', '0.1', '--output-price', '0.4']);
      expect(priced.stdout).toMatch(/^Direct call:\s+<?\$0\.\d+–\$0\.\d+/m);

      const bad = await runCli(['estimate', '-c', small, '--input-price', '0.1']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('Pass both --input-price and --output-price');
    } finally {
      await removeTree(small);
    }
  });
});
