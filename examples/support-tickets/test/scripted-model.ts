/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server. The root "model" writes the Python an RLM would write for the ticket analysis
 * (probe → normalise both sources → label every ticket with llm_query_batched → count → ask for
 * root causes → FINAL_VAR of a dict matching the schema); it runs in the sandbox over the real
 * generated files. The sub-"model" labels tickets from their text and finds the sentence customers
 * repeat most.
 */
import { rootTurn, scriptedReply } from '@rlms/examples-shared/testing';

/** Tickets per labelling sub-call in the scripted solution. */
export const TICKETS_PER_SUBCALL = 250;

const PROBE = String.raw`
print(type(context).__name__, {name: len(records) for name, records in context.items()})
for name, records in context.items():
    print(name, "fields:", sorted(records[0]))
    print("  first:", str(records[0])[:400])
`;

const NORMALISE = String.raw`
import collections, json
tickets = []
for name, records in context.items():
    for r in records:
        if "messages" in r:
            said = [m["text"] for m in r["messages"] if m.get("from") == "customer"]
            tickets.append({"id": r["ticket_id"], "source": name, "month": r["opened_at"][:7], "area": None, "text": " ".join(said)})
        else:
            text = r["subject"] + ". " + " ".join(r["description"].split())
            tickets.append({"id": r["ticket_id"], "source": name, "month": r["created_at"][:7], "area": r.get("product_area"), "text": text})
print(len(tickets), "tickets;", dict(collections.Counter(t["source"] for t in tickets)))
print("by month:", sorted(collections.Counter(t["month"] for t in tickets).items()))
print("areas (CSV only):", collections.Counter(t["area"] for t in tickets if t["area"]).most_common())
`;

const LABEL = String.raw`
INSTRUCTIONS = """Label each support ticket below with the product problem it reports, as a short label of 2-6 words.
Use the same label for the same problem. Use "How-to question" for questions about how to use the product.
Answer with one line per ticket, exactly: <ticket id> | <label>"""
chunks = [tickets[i:i + ${TICKETS_PER_SUBCALL}] for i in range(0, len(tickets), ${TICKETS_PER_SUBCALL})]
prompts = [INSTRUCTIONS + "\n\n" + "\n".join(f"{t['id']} | {t['text'][:300]}" for t in chunk) for chunk in chunks]
replies = llm_query_batched(prompts)
label_of = {}
for reply in replies:
    for line in reply.splitlines():
        if "|" in line:
            tid, label = [part.strip() for part in line.split("|", 1)]
            label_of[tid] = label
for t in tickets:
    t["label"] = label_of.get(t["id"], "Unlabelled")
counts = collections.Counter(t["label"] for t in tickets)
print(len(label_of), "labelled,", sum(1 for t in tickets if t["label"] == "Unlabelled"), "missing")
print(counts.most_common(15))
`;

const ANALYSE = String.raw`
months = sorted({t["month"] for t in tickets})
issues = [label for label, _ in counts.most_common() if label not in ("How-to question", "Unlabelled")]

def trend(monthly):
    first = sum(monthly.get(m, 0) for m in months[:2])
    last = sum(monthly.get(m, 0) for m in months[-2:])
    if first == 0:
        return "rising" if last else "stable"
    return "rising" if last / first > 1.25 else "falling" if last / first < 0.8 else "stable"

feature_of = {}
for label in issues:
    areas = collections.Counter(t["area"] for t in tickets if t["label"] == label and t["area"] and t["area"] != "Other")
    feature_of[label] = areas.most_common(1)[0][0] if areas else "unknown"

top = issues[:5]
cause_prompts = [
    f'These support tickets all report the same problem: "{label}".\n'
    "What is the most likely root cause? Base it on what customers say, quote the most telling sentence exactly, and say how many of these tickets say it.\n\n"
    + "\n".join(f"- {t['text']}" for t in [t for t in tickets if t["label"] == label][:40])
    for label in top
]
causes = dict(zip(top, llm_query_batched(cause_prompts)))

top_issues = []
for label in issues[:8]:
    mine = [t for t in tickets if t["label"] == label]
    monthly = dict(sorted(collections.Counter(t["month"] for t in mine).items()))
    top_issues.append({
        "issue": label,
        "tickets": len(mine),
        "sharePercent": round(100 * len(mine) / len(tickets), 1),
        "feature": feature_of[label],
        "rootCause": causes.get(label, "not analysed (outside the top 5)").strip(),
        "trend": trend(monthly),
        "monthlyTickets": monthly,
        "exampleTicketIds": [t["id"] for t in mine[:3]],
    })
features = collections.Counter()
for label in issues:
    features[feature_of[label]] += counts[label]
patterns = []
for item in top_issues:
    if item["trend"] != "stable":
        m = item["monthlyTickets"]
        first = sum(m.get(x, 0) for x in months[:2])
        last = sum(m.get(x, 0) for x in months[-2:])
        patterns.append(f"{item['issue']} is {item['trend']}: {first} tickets in {months[0]} to {months[1]}, {last} in {months[-2]} to {months[-1]}")
report = {
    "totalTickets": len(tickets),
    "ticketsBySource": dict(collections.Counter(t["source"] for t in tickets)),
    "topIssues": top_issues,
    "problematicFeatures": [{"feature": f, "tickets": n} for f, n in features.most_common(5)],
    "temporalPatterns": patterns,
}
print(json.dumps(report, indent=1)[:2500])
`;

const ROOT_TURNS = [
  `Let me see what the two sources look like.\n\`\`\`repl${PROBE}\`\`\``,
  `The CSV has subject/description, the chats have messages. I'll normalise both into one list.\n\`\`\`repl${NORMALISE}\`\`\``,
  `Now every ticket gets a label from a sub-model, in batches, and I count them in code.\n\`\`\`repl${LABEL}\`\`\``,
  `I'll ask for the root cause of the top 5, compute trends per month and features, and build the report.\n\`\`\`repl${ANALYSE}\`\`\``,
  'The report is built and matches the schema.\n```repl\nFINAL_VAR("report")\n```',
];

/** How the scripted sub-model recognises each problem (checked in this order). */
const RULES: readonly [RegExp, string][] = [
  [/(?<![$\d])429(?![.\d])|rate limit|too many requests/i, 'API returns 429'],
  [/\bSSO\b|single sign-on|login loop/i, 'SSO login loop'],
  [/reset/i, 'Password reset link expired'],
  [/charged twice|double charge|two (identical )?charges|duplicate invoice|billed twice/i, 'Charged twice'],
  [/export/i, 'CSV export times out'],
  [/notification/i, 'Late push notifications'],
  [/search/i, 'Search misses new items'],
  [/invit/i, 'Invitation email missing'],
  [/dark mode/i, 'Dark mode contrast'],
  [/\bhow (do|can) I\b/i, 'How-to question'],
];

function label(prompt: string): string {
  const lines: string[] = [];
  for (const match of prompt.matchAll(/^((?:T|CH)-\d+) \| (.*)$/gm)) {
    const rule = RULES.find(([pattern]) => pattern.test(match[2]!));
    lines.push(`${match[1]} | ${rule?.[1] ?? 'Other'}`);
  }
  if (lines.length === 0) throw new Error(`no tickets in the sub-prompt:\n${prompt.slice(0, 500)}`);
  return lines.join('\n');
}

/** The sentence most tickets repeat (each ticket counted once), quoted. */
function rootCause(prompt: string): string {
  const tickets = [...prompt.matchAll(/^- (.*)$/gm)].map((match) => match[1]!);
  const counts = new Map<string, number>();
  for (const ticket of tickets) {
    for (const sentence of new Set(ticket.split(/(?<=[.?!])\s+/))) {
      if (sentence.length >= 20) counts.set(sentence, (counts.get(sentence) ?? 0) + 1);
    }
  }
  const [sentence, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['(no clear pattern)', 0];
  return `Most likely root cause: customers report "${sentence}" (${count} of ${tickets.length} tickets)`;
}

/** Reply function for `startOpenAICompatibleServer`: root turns by their number, sub-calls by their prompt. */
export const reply = scriptedReply({
  root(request) {
    const last = request.lastUserMessage ?? '';
    if (last.includes('does not match the required shape')) throw new Error(`the scripted report failed the schema:\n${last}`);
    return rootTurn(ROOT_TURNS, request);
  },
  subModel: (prompt) => (prompt.startsWith('Label each support ticket') ? label(prompt) : rootCause(prompt)),
});
