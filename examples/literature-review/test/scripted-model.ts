/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server. The root "model" writes the Python an RLM would write for the literature review
 * (probe → grep → llm_query_batched → aggregate → FINAL_VAR); that code really runs in the sandbox
 * over the real generated corpus. The sub-"model" reads each batch of abstracts it is sent and
 * classifies the papers from their text.
 */
import { scriptedReply } from '@rlms/examples-shared/testing';

/** Papers per sub-call in the scripted solution. */
export const PAPERS_PER_SUBCALL = 25;

const PROBE = String.raw`
print(type(context).__name__, len(context))
keys = list(context)
print(keys[:5])
print(context[keys[0]][:700])
`;

const FILTER = String.raw`
import re, collections
papers = {}
for pid, text in context.items():
    year = re.search(r"^Year: (\d{4})", text, re.M)
    title = re.search(r"^Title: (.*)$", text, re.M)
    abstract = re.search(r"^Abstract: (.*)$", text, re.M)
    refs = re.search(r"^References: (.*)$", text, re.M)
    papers[pid] = {
        "year": int(year.group(1)) if year else 0,
        "title": title.group(1).strip() if title else pid,
        "abstract": abstract.group(1).strip() if abstract else text[:1500],
        "refs": re.findall(r"paper_\d+", refs.group(1)) if refs else [],
    }
candidates = sorted(
    (pid for pid, p in papers.items() if "attention" in (p["title"] + " " + p["abstract"]).lower()),
    key=lambda pid: (papers[pid]["year"], pid),
)
print(len(papers), "papers;", len(candidates), "mention attention in the title or abstract")
print("by year:", sorted(collections.Counter(papers[pid]["year"] for pid in candidates).items()))
`;

const READ_AND_AGGREGATE = String.raw`
INSTRUCTIONS = """You are reading research paper abstracts. For each paper below, answer with exactly one line:
<paper id> | INNOVATION | <name of the new attention mechanism this paper itself introduces>
<paper id> | USES | <name of the existing attention mechanism it applies>
<paper id> | OTHER   (not about attention mechanisms, e.g. "has received little attention")"""
chunks = [candidates[i:i + ${PAPERS_PER_SUBCALL}] for i in range(0, len(candidates), ${PAPERS_PER_SUBCALL})]
prompts = [
    INSTRUCTIONS + "\n\n" + "\n\n".join(f"[{pid}] ({papers[pid]['year']}) {papers[pid]['title']}\n{papers[pid]['abstract']}" for pid in chunk)
    for chunk in chunks
]
replies = llm_query_batched(prompts)
innovations, uses = {}, {}
for reply in replies:
    for line in reply.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if len(parts) >= 3 and parts[0] in papers:
            if parts[1].upper() == "INNOVATION":
                innovations[parts[0]] = parts[2]
            elif parts[1].upper() == "USES":
                uses[parts[0]] = parts[2]
print(len(innovations), "innovations;", len(uses), "papers apply one")

cited_by = collections.Counter(ref for p in papers.values() for ref in p["refs"] if ref in innovations)
order = sorted(innovations, key=lambda pid: (papers[pid]["year"], pid))
lines = [
    f"Timeline of attention mechanisms ({len(papers)} papers read, {len(candidates)} mention attention: "
    f"{len(innovations)} introduce a new mechanism, {len(uses)} apply one)",
    "",
]
for pid in order:
    p = papers[pid]
    parents = [ref for ref in p["refs"] if ref in innovations]
    built_on = ", ".join(f"{ref} ({innovations[ref]})" for ref in parents) or "no earlier mechanism in this corpus"
    lines.append(f"{p['year']}  {innovations[pid]} [{pid}] \"{p['title']}\"")
    lines.append(f"      builds on: {built_on}; cited by {cited_by[pid]} papers")
latest = max(papers[pid]["year"] for pid in order)
newest = [pid for pid in order if papers[pid]["year"] >= latest - 1]
applied = collections.Counter(name for pid, name in uses.items() if papers[pid]["year"] >= latest - 1)
lines += [
    "",
    "State of the art:",
    "  newest mechanisms: " + "; ".join(f"{innovations[pid]} [{pid}, {papers[pid]['year']}]" for pid in newest),
    f"  most applied in {latest - 1}-{latest}: " + "; ".join(f"{name} ({n} papers)" for name, n in applied.most_common(3)),
]
timeline = "\n".join(lines)
print(timeline)
`;

const ROOT_TURNS = [
  `Let me look at how the papers are stored.\n\`\`\`repl${PROBE}\`\`\``,
  `Each paper has a Year, an Abstract and References. I'll parse them and keep the papers that mention attention.\n\`\`\`repl${FILTER}\`\`\``,
  `Now a sub-model reads the candidate abstracts in batches and tells innovations from applications; then I build the timeline from years and references.\n\`\`\`repl${READ_AND_AGGREGATE}\`\`\``,
  'The timeline is complete and every entry has its paper id.\n```repl\nFINAL_VAR("timeline")\n```',
];

/** The sub-model: one line per paper of the batch, from what its abstract says. */
function classify(prompt: string): string {
  const lines: string[] = [];
  for (const match of prompt.matchAll(/^\[(paper_\d+)\] \((\d{4})\) .*\n(.*)$/gm)) {
    const [, id, , abstract = ''] = match;
    const proposed = /\bWe (?:propose|introduce) ([^,.]+)[,.]/.exec(abstract)?.[1];
    const applied = /\bWe (?:apply|adopt|use) (.+?) (?:to|for) /.exec(abstract)?.[1];
    if (proposed !== undefined && /attention/i.test(proposed)) lines.push(`${id} | INNOVATION | ${proposed}`);
    else if (applied !== undefined && /attention/i.test(applied)) lines.push(`${id} | USES | ${applied}`);
    else lines.push(`${id} | OTHER`);
  }
  if (lines.length === 0) throw new Error(`the sub-prompt holds no papers:\n${prompt.slice(0, 500)}`);
  return lines.join('\n');
}

/** Reply function for `startOpenAICompatibleServer`: root turns by their number, sub-calls by their prompt. */
export const reply = scriptedReply({ root: ROOT_TURNS, subModel: classify });
