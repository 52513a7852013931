/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server. For each user message (one session turn) the root "model" writes the Python an RLM
 * would write: probe the history (first turn only: the REPL keeps its variables), grep it for the
 * topics the message is about, extract facts with llm_query_batched, keep the latest statement per
 * topic, and have a sub-model word the reply. For "put both of those in a checklist" it reads the
 * REPL's `history` of earlier turns instead. Sub-model replies are computed from their prompts.
 */
import type { ServerReplyRequest } from '@rlms/openai/testing';
import { scriptedReply } from '@rlms/examples-shared/testing';

const PROBE = String.raw`
import collections, re
print(type(context).__name__, len(context), "messages;", dict(collections.Counter(m["role"] for m in context)))
print("from", context[0]["ts"], "to", context[-1]["ts"])
print(context[0])
`;

/** Grep → extract facts → latest per topic → reply. `keywords` is a Python regex, `message` the user's words. */
function search(keywords: string, message: string): string {
  return String.raw`
import collections, re
KEYWORDS = re.compile(r"${keywords}", re.I)
hits = [m for m in context if m["role"] == "user" and KEYWORDS.search(m["text"])]
print(len(hits), "of", len(context), "messages match")
for m in hits[:20]:
    print(" ", m["id"], m["ts"][:10], m["text"][:100])
EXTRACT = """Extract the facts the USER states about themselves and their household from these messages (not facts about other people).
One line per fact: <topic> | <fact> | <date> | <message id>. Topics: diet, allergy, trip, anniversary, budget, dog name, dog birthday."""
chunks = [hits[i:i + 20] for i in range(0, len(hits), 20)]
replies = llm_query_batched([EXTRACT + "\n\n" + "\n".join(f"[{m['id']} {m['ts'][:10]}] {m['text']}" for m in chunk) for chunk in chunks])
facts = collections.defaultdict(list)
for reply in replies:
    for line in reply.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 4:
            facts[parts[0]].append({"fact": parts[1], "date": parts[2], "id": parts[3]})
remembered = []
for topic, items in facts.items():
    items.sort(key=lambda f: f["date"])
    latest = items[-1]
    older = "; ".join(f"{f['fact']} ({f['date']})" for f in items[:-1])
    remembered.append(f"- {topic}: {latest['fact']} (you said so on {latest['date']}, {latest['id']})" + (f"; this replaces: {older}" if older else ""))
MESSAGE = ${JSON.stringify(message)}
reply = llm_query("The user says: " + MESSAGE + "\nWrite a short reply as their assistant, using only these remembered facts:\n" + "\n".join(remembered))
print(reply)
`;
}

const CHECKLIST = String.raw`
print(len(history), "earlier turns:")
for turn in history:
    print("-", turn["status"], "|", turn["answer"][:150].replace("\n", " "))
earlier = [turn["answer"] for turn in history[-2:]]
reply = llm_query("Turn these two earlier answers into a short checklist for the user, and point out any conflict between them.\n\n"
                  + "\n\n".join(f"Answer {i + 1}:\n{answer}" for i, answer in enumerate(earlier)))
print(reply)
`;

/** What the root greps the history for, by what the user asks about. */
const TOPICS: readonly [RegExp, string][] = [
  [/restaurant|dinner/i, 'vegetarian|vegan|pescatarian|eating fish|allerg|anniversary|under €'],
  [/Lisbon|trip/i, 'Lisbon'],
  [/dog/i, 'dog|Biscuit'],
];

function rootReply(request: ServerReplyRequest): string {
  const first = request.messages.find((message) => message.role === 'user')?.content ?? '';
  const message = /The user's new message is:\n(".*")\n/.exec(first)?.[1];
  if (message === undefined) throw new Error(`no user message in the question:\n${first.slice(0, 600)}`);
  const said = JSON.parse(message) as string;
  const laterTurn = /This is turn \d+ of a conversation/.test(first);
  const turn = request.messages.filter((item) => item.role === 'assistant').length;
  const steps: string[] = [];
  if (/checklist/i.test(said)) {
    steps.push(`You want the last two answers as a checklist: they are in \`history\`.\n\`\`\`repl${CHECKLIST}\`\`\``);
  } else {
    const topic = TOPICS.find(([pattern]) => pattern.test(said));
    if (topic === undefined) throw new Error(`the scripted model has no plan for: ${said}`);
    if (!laterTurn) steps.push(`Let me look at the history first.\n\`\`\`repl${PROBE}\`\`\``);
    steps.push(`I'll grep the user's messages for what this is about and extract the facts, latest first.\n\`\`\`repl${search(topic[1], said)}\`\`\``);
  }
  steps.push('The reply is ready.\n```repl\nFINAL_VAR("reply")\n```');
  const text = steps[turn];
  if (text === undefined) throw new Error(`unexpected root turn ${turn + 1} for: ${said}`);
  return text;
}

/** Fact extraction: what each message says about the user's own life. */
function extract(prompt: string): string {
  const lines: string[] = [];
  for (const [, id, date, text = ''] of prompt.matchAll(/^\[(m\d+) (\d{4}-\d{2}-\d{2})\] (.*)$/gm)) {
    if (/\b(Dana|colleague|she)\b/i.test(text)) continue;
    const add = (topic: string, fact: string) => lines.push(`${topic} | ${fact} | ${date} | ${id}`);
    let match: RegExpExecArray | null;
    if (/\bI'm vegetarian\b/.test(text)) add('diet', 'vegetarian');
    if (/pescatarian/.test(text)) add('diet', 'pescatarian (eats fish again)');
    if ((match = /Alex is allergic to (\w+)/.exec(text))) add('allergy', `Alex: ${match[1]}`);
    if (/tree nuts too/.test(text)) add('allergy', 'Alex: peanuts and tree nuts');
    if ((match = /Lisbon (?:trip )?(?:from|to) (\d+) to (\d+ \w+)/.exec(text))) add('trip', `Lisbon, ${match[1]} to ${match[2]}`);
    if ((match = /anniversary is on (\d+ \w+)/.exec(text))) add('anniversary', match[1]!);
    if ((match = /under (€\d+) for two/.exec(text))) add('budget', `restaurant dinners under ${match[1]} for two`);
    if ((match = /His name is (\w+)/.exec(text))) add('dog name', match[1]!);
    if ((match = /(\w+) turns (\d+) on (\d+ \w+)/.exec(text))) add('dog birthday', `${match[3]} (turns ${match[2]})`);
  }
  return lines.join('\n') || '(no facts about the user)';
}

/** Checklist: one box per remembered fact, and a warning when the anniversary falls during the trip. */
function checklist(prompt: string): string {
  const items = [...prompt.matchAll(/^- ([^:]+): (.+?) \(you said so on/gm)].map(([, topic, fact]) => `- [ ] ${topic}: ${fact}`);
  const anniversary = /anniversary: (\d+) (\w+)/.exec(prompt);
  const trip = /trip: Lisbon, (\d+) to (\d+) (\w+)/.exec(prompt);
  if (anniversary !== null && trip !== null && anniversary[2] === trip[3] && Number(anniversary[1]) >= Number(trip[1]) && Number(anniversary[1]) <= Number(trip[2])) {
    items.push(`Heads-up: your anniversary (${anniversary[1]} ${anniversary[2]}) falls during the Lisbon trip (${trip[1]} to ${trip[2]} ${trip[3]}): book the anniversary dinner in Lisbon.`);
  }
  return items.join('\n');
}

/** The sub-model: fact extraction, the reply's wording, or the checklist, by the prompt. */
function subModel(prompt: string): string {
  if (prompt.startsWith('Extract the facts')) return extract(prompt);
  if (prompt.startsWith('The user says:')) return `Here is what I remember that matters for this:\n${prompt.split('remembered facts:\n')[1] ?? ''}`;
  if (prompt.startsWith('Turn these two earlier answers')) return checklist(prompt);
  throw new Error(`unexpected sub-prompt:\n${prompt.slice(0, 400)}`);
}

/** Reply function for `startOpenAICompatibleServer`: root turns by the user's message, sub-calls by their prompt. */
export const reply = scriptedReply({ root: rootReply, subModel });
