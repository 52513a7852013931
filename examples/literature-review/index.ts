/**
 * Research literature review: a timeline of how attention mechanisms evolved, over 1,000 papers
 * (about 840,000 characters, ~210k tokens: more than gpt-4o's window) with the paper ids that
 * ground every claim.
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --base-url http://localhost:8000/v1 --model mit-oasys/rlm-qwen3-8b-v0.1
 *   node index.ts --dir ./my-papers --question "How did retrieval augmentation evolve?"
 *
 * The answer and a usage line go to stdout; the live trace goes to stderr.
 */
import { loadDirectory } from 'rlms';
import { commonHelp, createExampleRLM, fail, parseExampleArgs, positiveNumber } from '@rlms/examples-shared/example-cli';
import { printResult } from '@rlms/examples-shared/print-result';
import { generatePapers, paperDocuments, type Milestone } from './generate-papers.ts';

const QUESTION = `Create a timeline of how attention mechanisms evolved across these papers. Identify:
1. Key innovations and when they appeared, each with the id of the paper that introduced it
2. Which papers built on which (paper ids)
3. The current state of the art
Each document is one paper: title, authors, year, venue, abstract, introduction, and the ids of the papers it cites.
Check ALL papers, not just the first few: find the candidates with code first (grep), then read them in batches with llm_query_batched.
"Attention" is also used in its everyday sense ("has received little attention"): leave those papers out.`;

const HELP = `
Literature review with a Recursive Language Model: a timeline of attention mechanisms, with paper ids.

usage: node index.ts [options]

  --papers N          synthetic papers to generate (default 1000)
  --seed N            seed of the generator (default 7)
  --dir DIR           read your own papers instead: one text file per paper
  --question TEXT     ask something else
${commonHelp()}
`;

const args = parseExampleArgs(
  {
    papers: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '7' },
    dir: { type: 'string' },
    question: { type: 'string' },
  },
  HELP,
);

/** Compares the paper ids cited in the answer with the generator's ground truth. */
function groundTruthCheck(answer: string, milestones: readonly Milestone[], ids: ReadonlySet<string>): string {
  const cited = new Set(answer.match(/paper_\d+/g) ?? []);
  const found = milestones.filter((milestone) => cited.has(milestone.id));
  const missed = milestones.filter((milestone) => !cited.has(milestone.id)).map((milestone) => `${milestone.id} (${milestone.technique}, ${milestone.year})`);
  const unknown = [...cited].filter((id) => !ids.has(id));
  return [
    `check against the generated corpus: ${found.length} of ${milestones.length} innovation papers cited`,
    missed.length === 0 ? '' : `; missed: ${missed.join(', ')}`,
    unknown.length === 0 ? '; no unknown paper ids' : `; ids not in the corpus (hallucinated): ${unknown.join(', ')}`,
  ].join('');
}

try {
  // Tuning: a timeline needs one pass over every candidate, so a flat RLM (maxDepth 1) with batched
  // sub-calls is enough; a cheap sub-model reads the abstracts, the root model only writes code.
  // The constructor checks the flags and the API key before any data is loaded; it does no I/O.
  const rlm = createExampleRLM(args, { maxDepth: 1, maxIterations: 20, maxSubcallConcurrency: 8, timeoutMs: 15 * 60_000 });
  const count = positiveNumber(args.papers, 'papers')!;
  const seed = positiveNumber(args.seed, 'seed')!;
  let context: Record<string, string>;
  let corpus: ReturnType<typeof generatePapers> | undefined;
  if (args.dir === undefined) {
    corpus = generatePapers({ count: Math.floor(count), seed: Math.floor(seed) });
    context = paperDocuments(corpus.papers);
  } else {
    context = await loadDirectory(args.dir);
  }
  const chars = Object.values(context).reduce((sum, text) => sum + text.length, 0);
  process.stderr.write(`papers: ${Object.keys(context).length.toLocaleString('en-US')} documents, ${chars.toLocaleString('en-US')} characters${corpus === undefined ? ` from ${args.dir}` : ' (synthetic)'}\n`);

  try {
    const result = await rlm.query({
      context,
      question: args.question ?? QUESTION,
      ...(args['save-trajectory'] === undefined ? {} : { saveTrajectory: args['save-trajectory'] }),
    });
    printResult(result, ({ answer }) => ({
      check: corpus === undefined || args.question !== undefined ? undefined : groundTruthCheck(answer, corpus.milestones, new Set(Object.keys(context))),
    }));
  } finally {
    await rlm.close();
  }
} catch (error) {
  fail(error);
}
