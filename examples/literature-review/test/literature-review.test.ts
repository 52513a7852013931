/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server. The scripted root model's Python really runs in the Pyodide
 * sandbox over the 1,000 generated papers; the test checks the timeline against the generator's
 * ground truth.
 */
import { runExample, runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { formatPaper, generatePapers } from '../generate-papers.ts';
import { PAPERS_PER_SUBCALL, reply } from './scripted-model.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);

describe('examples/literature-review', () => {
  it('builds the timeline of attention mechanisms with the right paper ids', async () => {
    const { stdout, stderr, server } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandbox', 'pyodide', '--price', '0.5/1.5']);

    const { papers, milestones, adopters } = generatePapers();
    const candidates = papers.filter((paper) => /attention/i.test(`${paper.title} ${paper.abstract}`)).length;
    expect(stdout).toContain(`(1000 papers read, ${candidates} mention attention: 13 introduce a new mechanism, ${adopters} apply one)`);
    for (const milestone of milestones) {
      const entry = new RegExp(`^${milestone.year}  ${milestone.technique} \\[${milestone.id}\\] .*\\n\\s+builds on: (.*);`, 'm').exec(stdout);
      expect(entry, `${milestone.technique} is in the timeline`).not.toBeNull();
      const builtOn = [...entry![1]!.matchAll(/paper_\d+/g)].map((match) => match[0]).sort();
      expect(builtOn, `${milestone.technique} builds on`).toEqual([...milestone.buildsOn].sort());
    }
    // Entries are in chronological order.
    const years = [...stdout.matchAll(/^(\d{4})  /gm)].map((match) => Number(match[1]));
    expect(years).toEqual([...years].sort((a, b) => a - b));
    expect(stdout).toMatch(/newest mechanisms: ring attention \[paper_\d+, 2024\]; latent-compressed attention \[paper_\d+, 2025\]/);
    expect(stdout).toContain('check against the generated corpus: 13 of 13 innovation papers cited; no unknown paper ids');
    expect(stdout).toMatch(/usage: completed · 4 root calls, \d+ sub-calls · [\d,]+ tokens .* · cost \$\d+\.\d{4} · /);
    expect(stderr).toMatch(/papers: 1,000 documents, [\d,]+ characters \(synthetic\)/);
    expect(stderr).toContain('[rlms] Iteration 3: asking the root model.');

    // 4 root calls + one sub-call per batch of candidates; no root prompt carries the corpus.
    const batches = Math.ceil(candidates / PAPERS_PER_SUBCALL);
    expect(server.modelRequests).toHaveLength(4 + batches);
    const corpusChars = papers.reduce((sum, paper) => sum + formatPaper(paper).length, 0);
    for (const request of server.modelRequests) {
      expect(JSON.stringify(request.messages).length).toBeLessThan(corpusChars / 10);
    }
  });

  it('explains what to do without a key or a server', async () => {
    const { code, stderr } = await runExample(EXAMPLE_DIR, ['--papers', '100'], { timeoutMs: 30_000 });
    expect(code).toBe(2);
    expect(stderr).toMatch(/OPENAI_API_KEY/);
  });
});
