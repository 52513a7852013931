/**
 * Codebase understanding: trace a flow through a real source tree, with file paths and line
 * numbers. By default the tree is this repository's engine (packages/core/src), and the question
 * is how an `llm_query` call made by model-written Python reaches the sub-model and comes back.
 *
 *   OPENAI_API_KEY=sk-… node index.ts
 *   node index.ts --dir ../../../my-app/src --question "Trace the complete authentication flow …"
 *   node index.ts --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B --sandbox local
 *
 * The answer, a check of its path:line references, and a usage line go to stdout; the trace to stderr.
 */
import { fileURLToPath } from 'node:url';
import { loadDirectory } from 'rlms';
import { checkReferences, summarizeReferences } from './check-references.ts';
import { commonHelp, createExampleRLM, fail, parseExampleArgs } from '@rlms/examples-shared/example-cli';
import { printResult } from '@rlms/examples-shared/print-result';

const DEFAULT_DIR = fileURLToPath(new URL('../../packages/core/src', import.meta.url));

const QUESTION = `Trace the complete flow of an llm_query call made by model-written Python code in the sandbox, from the moment the request reaches the host until the answer goes back:
1. Where does the request enter the host?
2. How is it decoded and dispatched to the right handler?
3. How is the sub-model called?
4. How does the answer get back to the Python code?
5. What safety measures are in place on the way (limits, budgets, retries, aborts, validation)?
Provide file paths and line numbers for every step, as path:line followed by the code of that line in backticks.
The context is a dict from file path to file text; the text has no line numbers: count them with code (text.split("\\n")).
Use grep to find the entry points before reading whole files.`;

const HELP = `
Codebase Q&A with a Recursive Language Model: trace a flow with file paths and line numbers.

usage: node index.ts [options]

  --dir DIR           the source tree (default: this repository's packages/core/src)
  --include GLOB      only these files (gitignore syntax, repeatable), e.g. --include '*.ts'
  --exclude GLOB      leave these out (repeatable), e.g. --exclude '*.test.ts'
  --question TEXT     ask something else (ask for path:line references)
${commonHelp()}
`;

const args = parseExampleArgs(
  {
    dir: { type: 'string' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    question: { type: 'string' },
  },
  HELP,
);

try {
  // Tuning: tracing is a search, so most of the work is grep in the REPL; sub-calls only explain
  // the snippets found. maxDepth 2 lets the model hand a whole subsystem to a child RLM.
  // The constructor checks the flags and the API key before any data is loaded; it does no I/O.
  const rlm = createExampleRLM(args, { maxDepth: 1, maxIterations: 20, timeoutMs: 10 * 60_000 });
  const dir = args.dir ?? DEFAULT_DIR;
  // loadDirectory honours .gitignore, skips binaries, node_modules and likely secrets (.env, keys).
  const files = await loadDirectory(dir, {
    ...(args.include === undefined ? {} : { include: args.include }),
    ...(args.exclude === undefined ? {} : { exclude: args.exclude }),
  });
  const lineCount = Object.values(files).reduce((sum, text) => sum + text.split('\n').length, 0);
  process.stderr.write(`code: ${Object.keys(files).length} files, ${lineCount.toLocaleString('en-US')} lines from ${dir}\n`);

  try {
    const result = await rlm.query({
      context: files,
      question: args.question ?? QUESTION,
      ...(args['save-trajectory'] === undefined ? {} : { saveTrajectory: args['save-trajectory'] }),
    });
    printResult(result, ({ answer }) => ({ check: summarizeReferences(checkReferences(answer, files)) }));
  } finally {
    await rlm.close();
  }
} catch (error) {
  fail(error);
}
