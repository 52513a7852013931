/**
 * Customer support analysis: the most common issues in 10,000 tickets from two sources (a help-desk
 * CSV export and a chat JSONL log), with frequencies, root causes, problem features and trends,
 * returned as a typed, validated report (zod schema).
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B --sandbox local
 *   node index.ts --csv ./export.csv --jsonl ./chats.jsonl
 *
 * The report, a ground-truth comparison (synthetic data) and a usage line go to stdout; the trace to stderr.
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsv, loadJsonl } from 'rlms';
import { commonHelp, createExampleRLM, fail, parseExampleArgs, positiveNumber, UsageError } from '@rlms/examples-shared/example-cli';
import { printResult } from '@rlms/examples-shared/print-result';
import { CSV_FILE, ISSUES, issueCounts, JSONL_FILE, QUESTION_LABEL, writeTickets, type TicketData } from './generate-tickets.ts';
import { formatReport, TicketReport } from './ticket-report.ts';

const QUESTION = `Analyse these support tickets to find:
1. The most common product issues, with how many tickets each (count every ticket: do not estimate from a sample)
2. The root cause of each of the top 5 issues, from what customers report
3. Which product features are most problematic
4. Temporal patterns: which issues are getting worse or better month by month
The context has one list of tickets per source file, and the two sources have different fields (a CSV export, and chat conversations with several messages).
Normalise them first. Then label every ticket with llm_query_batched in chunks (reuse the same label for the same problem) and count in code.
"How do I…" questions are not product issues: leave them out of the top issues.`;

const HELP = `
Support ticket analysis with a Recursive Language Model: top issues, root causes, trends, as a typed report.

usage: node index.ts [options]

  --tickets N         synthetic tickets to generate (default 10000), half CSV, half JSONL
  --seed N            seed of the generator (default 11)
  --data-dir DIR      where the generated tickets.csv and chats.jsonl are written (default ./data)
  --csv FILE          analyse your own CSV export instead (with or without --jsonl)
  --jsonl FILE        analyse your own JSONL log instead (with or without --csv)
${commonHelp()}
`;

const args = parseExampleArgs(
  {
    tickets: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '11' },
    'data-dir': { type: 'string' },
    csv: { type: 'string' },
    jsonl: { type: 'string' },
  },
  HELP,
);

/** The generator's own top issues, to compare with the answer. */
function groundTruth(data: TicketData): string {
  const counts = issueCounts(data.tickets);
  const lines = counts
    .filter(([key]) => key !== 'question')
    .slice(0, 5)
    .map(([key, count], index) => {
      const issue = ISSUES.find((item) => item.key === key)!;
      return `${String(index + 1).padStart(2)}. ${issue.label.padEnd(36)} ${count.toLocaleString('en-US').padStart(6)} tickets  ${issue.trend.padEnd(9)}  ${issue.feature}; cause: ${issue.clue}`;
    });
  const questions = counts.find(([key]) => key === 'question')?.[1] ?? 0;
  return [`Ground truth of the synthetic data (${questions.toLocaleString('en-US')} tickets are "${QUESTION_LABEL}"s):`, ...lines].join('\n');
}

try {
  // Tuning: labelling 10,000 tickets is ~40 batched sub-calls; run them wide. A schema makes rlms
  // check the final value and send mismatches back to the model (maxSchemaRetries, default 2).
  // The constructor checks the flags and the API key before any data is loaded; it does no I/O.
  const rlm = createExampleRLM(args, { maxDepth: 1, maxIterations: 20, maxSubcallConcurrency: 16, timeoutMs: 20 * 60_000 });
  let generated: TicketData | undefined;
  let csvPath = args.csv;
  let jsonlPath = args.jsonl;
  if (csvPath === undefined && jsonlPath === undefined) {
    const dir = args['data-dir'] === undefined ? fileURLToPath(new URL('./data/', import.meta.url)) : resolve(args['data-dir']);
    const count = positiveNumber(args.tickets, 'tickets')!;
    if (!Number.isInteger(count) || count < 100) throw new UsageError(`--tickets must be an integer of at least 100, got "${args.tickets}".`);
    generated = await writeTickets(dir, { count, seed: Math.floor(positiveNumber(args.seed, 'seed')!) });
    csvPath = resolve(dir, CSV_FILE);
    jsonlPath = resolve(dir, JSONL_FILE);
    process.stderr.write(`generated ${count.toLocaleString('en-US')} tickets into ${dir}\n`);
  }
  // Each loader throws a ContextError naming the file and line of a malformed record.
  const context: Record<string, unknown[]> = {};
  if (csvPath !== undefined) context[basename(csvPath)] = await loadCsv(csvPath);
  if (jsonlPath !== undefined) context[basename(jsonlPath)] = await loadJsonl(jsonlPath);
  process.stderr.write(`tickets: ${Object.entries(context).map(([name, records]) => `${records.length.toLocaleString('en-US')} in ${name}`).join(', ')}\n`);

  try {
    const result = await rlm.query({
      context,
      question: QUESTION,
      schema: TicketReport,
      ...(args['save-trajectory'] === undefined ? {} : { saveTrajectory: args['save-trajectory'] }),
    });
    printResult(result, ({ answer, answerValue }) => {
      // With status `completed` the answer is the validated report; after a limit it may be missing.
      const parsed = TicketReport.safeParse(answer);
      return {
        answer: parsed.success ? formatReport(parsed.data) : String(answerValue ?? answer),
        sections: [generated === undefined ? undefined : groundTruth(generated)],
      };
    });
  } finally {
    await rlm.close();
  }
} catch (error) {
  fail(error);
}
