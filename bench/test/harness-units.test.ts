import { describe, expect, it } from 'vitest';
import { barChart, lineChart, niceTicks } from '../src/report/svg-chart.js';
import { detectDialect, overheadPolicyReply, batchQuestion } from '../src/scripted/overhead-policy.js';
import { LINE_BYTES, countWord, needleText } from '../src/scripted/needle-text.js';
import { coveredMs, intersectIntervals, maxOverlap } from '../src/util/intervals.js';
import { linearFit, summarize } from '../src/util/stats.js';
import { formatTokens, markdownTable, parseTokenSize } from '../src/util/format.js';
import { main } from '../src/cli.js';

describe('statistics and intervals', () => {
  it('summarizes with interpolated quantiles', () => {
    const summary = summarize([5, 1, 4, 2, 3]);
    expect(summary).toMatchObject({ n: 5, min: 1, median: 3, max: 5, mean: 3 });
    expect(summary.p90).toBeCloseTo(4.6);
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });

  it('fits lines and reports r²', () => {
    expect(linearFit([{ x: 1, y: 3 }, { x: 2, y: 5 }, { x: 3, y: 7 }])).toEqual({ slope: 2, intercept: 1, r2: 1 });
    expect(linearFit([{ x: 1, y: 1 }])).toBeUndefined();
  });

  it('measures covered time, overlaps and intersections', () => {
    const intervals = [{ start: 0, end: 10 }, { start: 5, end: 15 }, { start: 20, end: 30 }];
    expect(coveredMs(intervals)).toBe(25);
    expect(coveredMs(intervals, { start: 8, end: 22 })).toBe(9);
    expect(maxOverlap(intervals)).toBe(2);
    expect(intersectIntervals(intervals, [{ start: 12, end: 25 }])).toEqual([{ start: 12, end: 15 }, { start: 20, end: 25 }]);
  });

  it('parses and formats token sizes', () => {
    expect(['8k', '1m', '2.5M', '128000'].map(parseTokenSize)).toEqual([8_000, 1_000_000, 2_500_000, 128_000]);
    expect(() => parseTokenSize('lots')).toThrow(/Invalid size "lots"/);
    expect(formatTokens(2_500_000)).toBe('2.5M');
    expect(markdownTable(['a', 'b'], [['1', 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
  });
});

describe('workload and scripted policy', () => {
  it('generates whole lines with a known marker count', () => {
    const text = needleText(100_000);
    const decoded = new TextDecoder().decode(text.bytes);
    expect(text.bytes.byteLength % LINE_BYTES).toBe(0);
    expect(countWord(decoded)).toBe(text.markers);
    expect(decoded.split('\n').slice(0, -1).every((line) => line.length === LINE_BYTES - 1)).toBe(true);
  });

  it('speaks each implementation dialect', () => {
    const rlmsRoot = { systemPrompt: 'You are an RLM…', messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'q' }], lastUserMessage: 'q' };
    expect(detectDialect(rlmsRoot)).toBe('rlms-root');
    expect(overheadPolicyReply(rlmsRoot, { chunkChars: 640 })).toContain('print(type(context).__name__');
    expect(overheadPolicyReply({ systemPrompt: undefined, messages: [], lastUserMessage: 'a needle and a needle' }, { chunkChars: 640 })).toBe('2');
    const rltsChild = { systemPrompt: 'You are a Recursive Language Model. You interact with context through a JavaScript REPL environment.\n\nDepth: 1', messages: [], lastUserMessage: 'item 3: needle' };
    expect(detectDialect(rltsChild)).toBe('rlts-child');
    expect(overheadPolicyReply(rltsChild, { chunkChars: 640 })).toBe('FINAL("1")');
    const axActor = { systemPrompt: '## Distiller …', messages: [{ role: 'user', content: `Question: ${batchQuestion(4)}` }], lastUserMessage: `Question: ${batchQuestion(4)}` };
    expect(overheadPolicyReply(axActor, { chunkChars: 640 })).toContain('Array.from({ length: 4 }');
  });
});

describe('SVG charts', () => {
  it('draws line and bar charts as standalone SVG with escaped text', () => {
    const line = lineChart({ title: 'A & B', xLabel: 'x', yLabel: 'y', series: [{ name: 's<1>', points: [{ x: 1, y: 2 }, { x: 2, y: 4 }] }] });
    expect(line.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(line).toContain('A &amp; B');
    expect(line).toContain('s&lt;1&gt;');
    expect(line.trim().endsWith('</svg>')).toBe(true);
    const bars = barChart({ title: 't', yLabel: 'ms', groups: [{ label: 'local', values: [{ name: 'median', value: 1.5 }] }], targets: [{ label: 'target', value: 2 }] });
    expect(bars.match(/<rect /g)?.length).toBe(3);
    expect(niceTicks(7.3)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe('CLI', () => {
  it('rejects bad arguments with exit code 2 and a message naming the fix', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await main(['--only', 'everything'])).toBe(2);
      expect(await main(['suite', '--suite', 'oolong'])).toBe(2);
      expect(await main(['suite', '--suite', 'nope', '--oracle'])).toBe(2);
    } finally {
      process.stderr.write = original;
    }
    expect(writes.join('')).toMatch(/Unknown section "everything"/);
    expect(writes.join('')).toMatch(/--model is required/);
    expect(writes.join('')).toMatch(/Unknown suite "nope"/);
  });
});
