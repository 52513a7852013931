/**
 * Agent memory: a chat agent whose six-month history (3,000 messages) lives in an RLM session.
 * Each new message is one session turn over the same sandbox: the RLM greps the history for what
 * matters, prefers the latest statement when facts changed, and later turns build on earlier
 * answers through the REPL's `history`.
 *
 *   OPENAI_API_KEY=sk-… node index.ts                 # a scripted four-message conversation
 *   OPENAI_API_KEY=sk-… node index.ts --interactive   # chat on stdin
 *   node index.ts --history ./my-chat.jsonl --message "What did I promise to send Maria?"
 *
 * The conversation and a usage line per turn go to stdout; the trace goes to stderr.
 */
import { createInterface } from 'node:readline/promises';
import { loadJsonl } from 'rlms';
import { commonHelp, createExampleRLM, fail, parseExampleArgs, positiveNumber } from '@rlms/examples-shared/example-cli';
import { exitCodeOf, usageLine, type RunSummary } from '@rlms/examples-shared/print-result';
import { generateHistory, type ChatMessage } from './generate-history.ts';
import { MemoryAgent, type TurnResult } from './memory-agent.ts';

const CONVERSATION = [
  "Can you suggest a restaurant for our anniversary dinner? Keep my diet and Alex's allergies in mind.",
  'What did I decide about the Lisbon trip dates in the end?',
  'Put both of those in a short checklist for me.',
  "What's my dog's name again, and when is his birthday?",
];

const HELP = `
A chat agent with long-term memory in an RLM session.

usage: node index.ts [options]

  --messages N        synthetic history to generate (default 3000 messages over six months)
  --seed N            seed of the generator (default 13)
  --history FILE      your own history instead: JSONL, one {"role", "text", "ts"?} per line
  --message TEXT      what the user says (repeatable; default: a four-message conversation)
  --interactive       read the user's messages from stdin instead (Ctrl-D to end)
${commonHelp({ budget: 'budget of each turn; --max-iterations N root turns per message (default 12)' })}
  (with --save-trajectory F, each turn is saved as F's name plus .turn-<n>.json)
`;

const args = parseExampleArgs(
  {
    messages: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '13' },
    history: { type: 'string' },
    message: { type: 'string', multiple: true },
    interactive: { type: 'boolean', default: false },
  },
  HELP,
);

/** Sums the turns' usage into one summary for the closing line. */
function sessionSummary(results: readonly TurnResult[]): RunSummary {
  const total = {
    calls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0,
    costUsd: undefined as number | undefined, callsWithoutUsage: 0, callsWithoutCost: 0,
  };
  for (const result of results) {
    const usage = result.usage.total;
    total.calls += usage.calls;
    total.inputTokens += usage.inputTokens;
    total.cachedInputTokens += usage.cachedInputTokens;
    total.outputTokens += usage.outputTokens;
    total.reasoningTokens += usage.reasoningTokens;
    total.totalTokens += usage.totalTokens;
    total.callsWithoutUsage += usage.callsWithoutUsage;
    total.callsWithoutCost += usage.callsWithoutCost;
    if (result.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + result.costUsd;
  }
  const worst = results.find((result) => result.status !== 'completed');
  return {
    status: worst?.status ?? 'completed',
    usage: { total, byModel: {}, byDepth: {} },
    costUsd: total.costUsd,
    iterations: results.reduce((sum, result) => sum + result.iterations, 0),
    subcalls: results.reduce((sum, result) => sum + result.subcalls, 0),
    durationMs: results.reduce((sum, result) => sum + result.durationMs, 0),
  };
}

/** Your own history: any JSONL of messages with at least `role` and `text`. */
async function loadHistory(path: string): Promise<ChatMessage[]> {
  const records = await loadJsonl(path);
  return records.map((record, index) => {
    const { role, text, ts, id } = (record ?? {}) as Partial<Record<'role' | 'text' | 'ts' | 'id', unknown>>;
    if ((role !== 'user' && role !== 'assistant') || typeof text !== 'string') {
      throw new Error(`${path}, line ${index + 1}: each line needs "role" ("user" or "assistant") and "text".`);
    }
    return { id: typeof id === 'string' ? id : `m${String(index + 1).padStart(5, '0')}`, ts: typeof ts === 'string' ? ts : '', role, text };
  });
}

async function* userMessages(): AsyncGenerator<string> {
  if (!args.interactive) {
    yield* args.message ?? CONVERSATION;
    return;
  }
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  try {
    while (true) {
      const line = await lines.question('you> ').catch(() => undefined);
      if (line === undefined) return;
      if (line.trim() !== '') yield line.trim();
    }
  } finally {
    lines.close();
  }
}

try {
  // Tuning: each message is a short search, so fewer root turns than a one-off analysis; the
  // sandbox (and the loaded history) is shared by every turn of the session.
  // The constructor checks the flags and the API key before any data is loaded; it does no I/O.
  const rlm = createExampleRLM(args, { maxDepth: 1, maxIterations: 12, timeoutMs: 5 * 60_000 });
  const history = args.history === undefined
    ? generateHistory({ messages: Math.floor(positiveNumber(args.messages, 'messages')!), seed: Math.floor(positiveNumber(args.seed, 'seed')!) })
    : await loadHistory(args.history);
  const chars = history.reduce((sum, message) => sum + message.text.length, 0);
  process.stderr.write(`history: ${history.length.toLocaleString('en-US')} messages${history[0]?.ts ? ` from ${history[0].ts.slice(0, 10)} to ${history.at(-1)!.ts.slice(0, 10)}` : ''} (${chars.toLocaleString('en-US')} characters of text)\n`);

  const agent = new MemoryAgent(rlm, history, args['save-trajectory'] === undefined ? {} : { saveTrajectory: args['save-trajectory'] });
  const results: TurnResult[] = [];
  try {
    for await (const message of userMessages()) {
      if (!args.interactive) process.stdout.write(`you> ${message}\n`);
      const result = await agent.respond(message);
      results.push(result);
      if (result.status === 'error' || result.status === 'aborted') {
        process.stdout.write(`agent> (no answer: ${result.error?.message ?? result.statusDetail ?? result.status})\n`);
      } else {
        process.stdout.write(`agent> ${result.answer.replaceAll('\n', '\n       ')}\n`);
      }
      process.stdout.write(`       turn ${results.length} ${usageLine(result)}\n\n`);
    }
  } finally {
    await agent.close();
    await rlm.close();
  }
  if (results.length > 0) {
    const summary = sessionSummary(results);
    process.stdout.write(`session: ${results.length} turn${results.length === 1 ? '' : 's'} over one sandbox; ${usageLine(summary)}\n`);
    process.exitCode = exitCodeOf(summary);
  }
} catch (error) {
  fail(error);
}
