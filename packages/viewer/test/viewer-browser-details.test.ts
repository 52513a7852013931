/**
 * The viewer's finer points in a real browser: batched sub-calls in prompt order, runs that did not
 * complete, highlighted code, and a dict context shown as its documents.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Trajectory, TrajectorySubcall } from '@rlms/core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTrajectoryViewer } from '../src/index.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './browser.js';
import { BATCH_CODE, BATCH_SIZE, DOCUMENTS, makeBatchTrajectory, makeUnfinishedTrajectory } from './make-trajectories.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const PROMPT_ORDER = Array.from({ length: BATCH_SIZE }, (_, index) => `item-${index}`);

describe('rlms view details in a real browser', () => {
  if (chromiumMissing !== undefined) {
    if (process.env.CI) it('needs Chromium on CI', () => expect.fail(chromiumMissing));
    else it.skip(`needs Chromium: ${chromiumMissing}`, () => undefined);
    return;
  }

  let browser: TestBrowser;
  let batch: Trajectory;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    batch = await makeBatchTrajectory();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Writes `trajectory` as `<name>.json`, renders it and opens the page. */
  async function open(trajectory: Trajectory, name: string): Promise<{ page: Page; errors: string[] }> {
    const jsonPath = join(ARTIFACTS, `${name}.json`);
    await writeFile(jsonPath, JSON.stringify(trajectory));
    const html = await writeTrajectoryViewer(jsonPath);
    return browser.open(pathToFileURL(html).href);
  }

  /** The batch's prompt labels (`item-N`) as the first iteration lists its sub-calls. */
  async function listedPrompts(page: Page): Promise<string[]> {
    const step = page.locator('details.step').first();
    await step.locator(':scope > summary').click();
    await expect.poll(() => step.locator('details.subcall').count()).toBe(BATCH_SIZE);
    const previews = await step.locator('details.subcall > summary .preview').allTextContents();
    return previews.map((preview) => /item-\d+/.exec(preview)?.[0] ?? preview);
  }

  const promptIndex = (call: TrajectorySubcall) => Number(/item-(\d+)/.exec(call.input)![1]);

  function withSubcalls(trajectory: Trajectory, map: (subcalls: TrajectorySubcall[]) => TrajectorySubcall[]): Trajectory {
    const [first, ...rest] = trajectory.steps;
    return { ...trajectory, steps: [{ ...first!, subcalls: map([...first!.subcalls]) }, ...rest] };
  }

  it('numbers batched sub-calls in prompt order, not in the order they finished (no batchIndex)', async () => {
    // The run finished the batch last prompt first, and trajectories list sub-calls as they finish:
    // listed that way here whatever the engine records, without `batchIndex`.
    const withoutIndex = withSubcalls(batch, (subcalls) =>
      subcalls
        .map(({ ...call }) => (delete (call as { batchIndex?: number }).batchIndex, call))
        .sort((a, b) => promptIndex(b) - promptIndex(a)),
    );
    expect(withoutIndex.steps[0]!.subcalls.map(promptIndex)).toEqual([5, 4, 3, 2, 1, 0]);
    const { page, errors } = await open(withoutIndex, 'batch-no-index');
    expect(await listedPrompts(page)).toEqual(PROMPT_ORDER);
    const titles = await page.locator('details.subcall > summary .title').allTextContents();
    expect(titles).toEqual(PROMPT_ORDER.map((_, index) => `#${index + 1} llm_query_batched`));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('orders by batchIndex when the trajectory records it, even without start times or ids to go by', async () => {
    const indexed = withSubcalls(batch, (subcalls) =>
      subcalls
        .map((call) => ({ ...call, id: 'sub', startedAt: batch.startedAt, batchIndex: promptIndex(call) }))
        .sort((a, b) => (a.batchIndex % 2) - (b.batchIndex % 2) || b.batchIndex - a.batchIndex),
    );
    const { page, errors } = await open(indexed, 'batch-index');
    expect(await listedPrompts(page)).toEqual(PROMPT_ORDER);
    expect(await page.locator('details.subcall > summary .badge', { hasText: /^prompt \d+$/ }).allTextContents()).toEqual(
      PROMPT_ORDER.map((_, index) => `prompt ${index + 1}`),
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('highlights Python code as text (markup in it stays text) and marks a search hit across tokens', async () => {
    const { page, errors } = await open(batch, 'batch');
    const step = page.locator('details.step').first();
    await step.locator(':scope > summary').click();
    const code = step.locator('pre.code').first();
    await expect.poll(() => code.textContent()).toBe(BATCH_CODE);
    expect(await code.locator('.tok-rlm').allTextContents()).toEqual(expect.arrayContaining(['context', 'llm_query_batched', 'FINAL']));
    expect(await code.locator('.tok-kw').allTextContents()).toEqual(expect.arrayContaining(['for', 'in']));
    expect(await code.locator('.tok-com').textContent()).toBe('# markup stays text: <img src=x onerror="window.__pwned=1">');
    expect(await code.locator('.tok-str').allTextContents()).toEqual(['f"item-{i}: "', '" | "']);
    expect(await code.locator('.tok-num').allTextContents()).toEqual(expect.arrayContaining(['3', String(BATCH_SIZE)]));
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    // Highlighted names are coloured unlike plain text.
    const colourOf = (node: unknown) => (globalThis as unknown as { getComputedStyle(node: unknown): { color: string } }).getComputedStyle(node).color;
    expect(await code.locator('.tok-rlm').first().evaluate(colourOf)).not.toBe(await code.evaluate(colourOf));

    const term = 'query_batched([f"item';
    await page.getByTestId('search').fill(term);
    await expect.poll(() => page.getByTestId('search-count').textContent()).toMatch(/match/);
    await page.locator('[data-testid="search-results"] button').first().click();
    await expect.poll(async () => (await code.locator('mark').allTextContents()).join('')).toBe(term);
    expect(await code.locator('mark').count()).toBeGreaterThan(1); // the hit spans a name, brackets and a string
    expect(await code.textContent()).toBe(BATCH_CODE);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-code.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a dict context as its documents, with names and sizes, each expandable to its text', async () => {
    const { page, errors } = await open(batch, 'batch-context');
    const context = page.getByTestId('context');
    await context.locator(':scope > summary').click();
    const documents = page.getByTestId('context-document');
    await expect.poll(() => documents.count()).toBe(Object.keys(DOCUMENTS).length);
    expect(await documents.locator('.doc-name').allTextContents()).toEqual(Object.keys(DOCUMENTS));
    expect(await documents.locator('.doc-size').allTextContents()).toEqual(Object.values(DOCUMENTS).map((text) => `${text.length} chars`));
    const alpha = documents.first();
    await alpha.locator(':scope > summary').click();
    // The text itself, newlines and quotes included, not a JSON-escaped string.
    await expect.poll(() => alpha.locator('pre').textContent()).toBe(DOCUMENTS['notes/alpha.md']);
    expect(await context.textContent()).not.toContain('\\n');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-context.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([
    ['aborted', 'bad', /^Run aborted$/],
    ['error', 'bad', /^Run failed \(error\)$/],
    ['max_iterations', 'warn', /^Stopped early \(max_iterations\): the iteration limit was reached$/],
  ] as const)('shows a run that ended %s with its status and detail, not an empty green answer', async (kind, tone, title) => {
    const trajectory = await makeUnfinishedTrajectory(kind);
    const { page, errors } = await open(trajectory, `unfinished-${kind}`);
    const summary = page.getByTestId('summary');
    const outcome = summary.getByTestId('run-outcome');
    expect(await outcome.getAttribute('class')).toBe(`outcome ${tone}`);
    expect(await outcome.locator('.outcome-title').textContent()).toMatch(title);
    expect(await summary.locator('pre.final').count()).toBe(0);
    expect(await summary.textContent()).not.toContain('(empty)');
    const result = trajectory.result!;
    if (result.statusDetail) expect(await outcome.textContent()).toContain(result.statusDetail);
    if (kind === 'error') expect(await outcome.textContent()).toContain('The backend is down');
    if (kind === 'max_iterations') {
      expect(result.answer.length).toBeGreaterThan(0);
      expect(await outcome.locator('pre.partial').textContent()).toBe(result.answer);
    } else expect(await outcome.textContent()).toContain('No answer.');
    await page.screenshot({ path: join(ARTIFACTS, `viewer-${kind}.png`) });
    expect(errors).toEqual([]);
    await page.close();
  });
});
