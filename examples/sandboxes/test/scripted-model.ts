/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server: the same RLM solution whatever the sandbox (probe → grep ERROR lines → one
 * llm_query_batched prompt per service → aggregate → FINAL_VAR). The sub-"model" names the most
 * frequent error among the lines it is sent.
 */
import { scriptedReply } from '@rlms/examples-shared/testing';

const PROBE = String.raw`
import sys
print(type(context).__name__, len(context), "characters;", context.count("\n"), "lines; Python", sys.version.split()[0], sys.platform)
print(context[:300])
`;

const SOLVE = String.raw`
import re, collections
errors = collections.defaultdict(list)
for line in context.splitlines():
    m = re.match(r"\S+ ERROR \[(\w+)\] (.*)$", line)
    if m:
        errors[m.group(1)].append(m.group(2))
services = sorted(errors)
print({s: len(errors[s]) for s in services})
top = llm_query_batched([f"These are the ERROR messages of the service {s}. Which message is the most frequent? Answer with the message and its count.\n" + "\n".join(errors[s]) for s in services])
answer = "\n".join(f"{s}: {len(errors[s])} errors; most frequent: {t.strip()}" for s, t in zip(services, top))
print(answer)
`;

const ROOT_TURNS = [
  `Let me look at the log and the Python I run in.\n\`\`\`repl${PROBE}\`\`\`\n\`\`\`repl${SOLVE}\`\`\``,
  'Done.\n```repl\nFINAL_VAR("answer")\n```',
];

/** The sub-model: the most frequent line of its prompt, with its count. */
function mostFrequent(prompt: string): string {
  const counts = new Map<string, number>();
  for (const line of prompt.split('\n').slice(1)) counts.set(line, (counts.get(line) ?? 0) + 1);
  const [message, count] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['(none)', 0];
  return `"${message}" (${count} times)`;
}

/** Reply function for `startOpenAICompatibleServer`: root turns by their number, sub-calls by their prompt. */
export const reply = scriptedReply({ root: ROOT_TURNS, subModel: mostFrequent });
