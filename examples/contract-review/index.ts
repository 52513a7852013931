/**
 * Legal document review: every data-privacy / GDPR clause in 100 contracts, quoted exactly with the
 * contract it comes from, non-compliant language flagged, improvements suggested. `verifyQuotes`
 * checks every quote of the answer against the contracts: the output lists the verified quotes with
 * their contract and offset, and the quotes found nowhere.
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B
 *   node index.ts --dir ./contracts     # your own contracts, one text file each
 *
 * The review, the quote check and a usage line go to stdout; the trace goes to stderr.
 */
import { loadDirectory } from 'rlms';
import { commonHelp, createExampleRLM, fail, parseExampleArgs, positiveNumber } from '@rlms/examples-shared/example-cli';
import { printResult } from '@rlms/examples-shared/print-result';
import { generateContracts } from './generate-contracts.ts';
import { renderQuoteCheck } from './quote-check.ts';

const QUESTION = `Find all clauses related to data privacy and GDPR compliance in these contracts. For each:
1. Quote the exact clause, in double quotes, copied from the contract text (not from a sub-model's reply)
2. Identify which contract it is from (its key) and its clause number
3. Flag any non-compliant language, and say why (cite the GDPR article)
4. Suggest an improvement
Ensure you check ALL contracts, and the whole of each contract: privacy clauses are not always in a data protection section.
"Payment processor", "material breach" or "personal injury" alone do not make a clause about personal data.`;

const HELP = `
Contract review with a Recursive Language Model: every data-privacy clause, quoted exactly and checked.

usage: node index.ts [options]

  --contracts N       synthetic contracts to generate (default 100, at most 400)
  --seed N            seed of the generator (default 5)
  --dir DIR           review your own contracts instead: one text file per contract
  --question TEXT     ask something else (ask for exact quotes in double quotes)
${commonHelp()}
`;

const args = parseExampleArgs(
  {
    contracts: { type: 'string', default: '100' },
    seed: { type: 'string', default: '5' },
    dir: { type: 'string' },
    question: { type: 'string' },
  },
  HELP,
);

try {
  // Tuning: legal review needs precision more than breadth, so the sub-model should be a strong
  // one; verifyQuotes is the guard against paraphrased or invented quotes.
  // The constructor checks the flags and the API key before any data is loaded; it does no I/O.
  const rlm = createExampleRLM(args, { maxDepth: 1, maxIterations: 20, timeoutMs: 15 * 60_000 });
  let contracts: Record<string, string>;
  if (args.dir === undefined) {
    const count = Math.floor(positiveNumber(args.contracts, 'contracts')!);
    contracts = { ...generateContracts({ count, seed: Math.floor(positiveNumber(args.seed, 'seed')!) }).contracts };
  } else {
    contracts = await loadDirectory(args.dir);
  }
  const chars = Object.values(contracts).reduce((sum, text) => sum + text.length, 0);
  process.stderr.write(`contracts: ${Object.keys(contracts).length} documents, ${chars.toLocaleString('en-US')} characters${args.dir === undefined ? ' (synthetic)' : ` from ${args.dir}`}\n`);

  try {
    const result = await rlm.query({
      context: contracts,
      question: args.question ?? QUESTION,
      verifyQuotes: true,
      ...(args['save-trajectory'] === undefined ? {} : { saveTrajectory: args['save-trajectory'] }),
    });
    printResult(result, ({ answer, citations }) => {
      if (citations === undefined) return {};
      const keys = args.dir === undefined ? /contract_\d+/g : new RegExp(Object.keys(contracts).map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
      return { sections: [renderQuoteCheck(answer, citations, keys).text] };
    });
  } finally {
    await rlm.close();
  }
} catch (error) {
  fail(error);
}
