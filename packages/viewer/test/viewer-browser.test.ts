import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { saveTrajectory, type Trajectory } from '@rlms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTrajectoryViewer } from '../src/index.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './browser.js';
import { NEEDLE, makeSmallTrajectory, makeWideTrajectory } from './make-trajectories.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
/** Text that would end the embedding <script> if the JSON were not escaped. */
const HOSTILE = '</script><script>window.__pwned = 1</script><!--';

if (chromiumMissing !== undefined && !process.env.CI) {
  console.warn(`@rlms/viewer browser tests skipped: ${chromiumMissing}`);
}

describe('rlms view in a real browser', () => {
  if (chromiumMissing !== undefined) {
    if (process.env.CI) it('needs Chromium on CI', () => expect.fail(chromiumMissing));
    else it.skip(`needs Chromium: ${chromiumMissing}`, () => undefined);
    return;
  }

  let browser: TestBrowser;
  let small: Trajectory;
  let smallHtml: string;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const trajectory = await makeSmallTrajectory();
    small = { ...trajectory, question: `${trajectory.question} ${HOSTILE}` };
    const jsonPath = join(ARTIFACTS, 'small-trajectory.json');
    await saveTrajectory(small, jsonPath);
    smallHtml = await writeTrajectoryViewer(jsonPath);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads without console errors or network requests and shows the totals of the file', async () => {
    const { page, errors, requests } = await browser.open(pathToFileURL(smallHtml).href);
    expect(errors).toEqual([]);
    expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    await expect.poll(() => page.locator('.question').textContent()).toContain(HOSTILE);

    const result = small.result!;
    const text = (testid: string) => page.getByTestId(testid).textContent();
    expect(await text('total-tokens')).toBe(result.usage.total.totalTokens.toLocaleString('en-US'));
    expect(await text('total-cost')).toBe(`$${result.costUsd!.toFixed(4)}`);
    expect(Number(await page.getByTestId('total-cost').getAttribute('data-value'))).toBe(result.costUsd);
    expect(await text('total-iterations')).toBe(String(result.iterations));
    expect(await text('total-subcalls')).toBe(String(result.subcalls));
    expect(await text('total-calls')).toBe(String(result.usage.total.calls));
    expect(await page.getByTestId('answer').textContent()).toContain(result.answer);
    // Collapsed by default: iteration headers only, no bodies built.
    expect(await page.locator('details.step').count()).toBe(small.steps.length);
    expect(await page.locator('details.step[open]').count()).toBe(0);
    expect(await page.locator('details.subcall').count()).toBe(0);
    await page.close();
  });

  it('expands an iteration, a sub-call and its child run on click', async () => {
    const { page, errors } = await browser.open(pathToFileURL(smallHtml).href);
    const first = page.locator('details.step').first();
    await first.locator(':scope > summary').click();
    await expect.poll(() => first.locator('details.subcall').count()).toBe(small.steps[0]!.subcalls.length);
    await expect.poll(() => first.locator('pre.code').first().textContent()).toContain('llm_query_batched');
    const childCall = first.locator('details.subcall', { hasText: 'rlm_query' });
    await childCall.locator(':scope > summary').click();
    const childRun = childCall.locator('details.run');
    await expect.poll(() => childRun.count()).toBe(1);
    expect(await childRun.locator('details.step').count()).toBe(0);
    await childRun.locator(':scope > summary').click();
    const child = small.steps[0]!.subcalls.find((call) => call.child !== undefined)!.child!;
    await expect.poll(() => childRun.locator('details.step').count()).toBe(child.steps.length);
    expect(await childRun.locator(':scope > .body').textContent()).toContain(child.result!.answer);
    expect(await childRun.locator('details.step').first().isVisible()).toBe(true);
    // The second iteration raised: its error is shown.
    const rootSteps = page.locator('[data-testid="tree"] > details.step');
    const second = rootSteps.nth(1);
    await second.locator(':scope > summary').click();
    await expect.poll(() => second.locator('pre.error').textContent()).toContain('NameError');
    await rootSteps.nth(2).locator(':scope > summary').click();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-expanded.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('finds a sub-call by searching and reveals it', async () => {
    const { page, errors } = await browser.open(pathToFileURL(smallHtml).href);
    await page.getByTestId('search').fill(NEEDLE);
    await expect.poll(() => page.getByTestId('search-count').textContent()).toBe('1 match');
    await page.locator('[data-testid="search-results"] button').first().click();
    const hit = page.locator('details.subcall[open]', { has: page.locator('mark') });
    await expect.poll(() => hit.count()).toBe(1);
    expect(await hit.locator('mark').first().textContent()).toBe(NEEDLE);
    expect(await hit.locator('mark').first().isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-search.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads a trajectory of 5 000 sub-calls and pages through them', async () => {
    const wide = await makeWideTrajectory(5000);
    const jsonPath = join(ARTIFACTS, 'wide-trajectory.json');
    await writeFile(jsonPath, JSON.stringify(wide));
    const html = await writeTrajectoryViewer(jsonPath, { out: join(ARTIFACTS, 'wide-trajectory.html') });
    const { page, errors } = await browser.open(pathToFileURL(html).href);
    expect(await page.getByTestId('total-subcalls').textContent()).toBe('5,000');
    const step = page.locator('details.step').first();
    await step.locator(':scope > summary').click();
    await expect.poll(() => step.locator('details.subcall').count()).toBe(200);
    expect(await step.locator('button.page-more').textContent()).toBe('Show 200 more (4,800 left)');
    await page.getByTestId('search').fill('label-4321');
    await expect.poll(() => page.getByTestId('search-count').textContent()).toBe('1 match');
    await page.keyboard.press('Enter');
    const hit = page.locator('details.subcall[open]', { hasText: '#4322 llm_query_batched' });
    await expect.poll(() => hit.count()).toBe(1);
    expect(await hit.locator('mark').first().textContent()).toBe('label-4321');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-wide.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000); // 5 000 sub-calls through a real Python REPL on a busy machine
});
