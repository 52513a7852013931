/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server. The root "model" writes the Python an RLM would write for the contract review
 * (probe → split into clauses → keyword filter → llm_query_batched per contract → assemble →
 * FINAL_VAR); it runs in the sandbox over the real generated contracts. The sub-"model" reviews
 * each clause from its text. Like many real models, it abridges long clauses when quoting them,
 * and the root takes its quotes from the sub-model: `verifyQuotes` catches exactly those.
 */
import { scriptedReply } from '@rlms/examples-shared/testing';

/** Clauses longer than this are quoted abridged ("… ") by the scripted sub-model. */
export const ABRIDGE_OVER = 200;

const PROBE = String.raw`
print(type(context).__name__, len(context), "contracts")
keys = sorted(context)
print(keys[:5], "...")
print(context[keys[0]][:900])
`;

const SPLIT = String.raw`
import re, collections
CLAUSE = re.compile(r"^(\d+\.\d+) (.*(?:\n {4}.*)*)", re.M)
clauses = []
for key in sorted(context):
    for m in CLAUSE.finditer(context[key]):
        clauses.append({"contract": key, "clause": m.group(1), "text": " ".join(m.group(2).split())})
KEYWORDS = re.compile(r"personal|GDPR|data protection|data subject|privacy|processor|breach", re.I)
candidates = [c for c in clauses if KEYWORDS.search(c["text"])]
print(len(clauses), "clauses in", len(context), "contracts;", len(candidates), "candidates in", len({c["contract"] for c in candidates}), "contracts")
print(collections.Counter(m.group(0).lower() for c in candidates for m in KEYWORDS.finditer(c["text"])).most_common())
`;

const REVIEW = String.raw`
INSTRUCTIONS = """You are a data-protection lawyer reviewing contract clauses. For each clause below, answer with one line:
<clause id> | NOT PRIVACY
or, when the clause concerns personal data, privacy or the GDPR:
<clause id> | PRIVACY | COMPLIANT or NON-COMPLIANT | <the problem and the GDPR article, or -> | <a better wording, or -> | "<the clause, quoted>"
"""
by_contract = collections.defaultdict(list)
for c in candidates:
    by_contract[c["contract"]].append(c)
order = sorted(by_contract)
prompts = [INSTRUCTIONS + "\n" + "\n".join(f"[{key} §{c['clause']}] {c['text']}" for c in by_contract[key]) for key in order]
replies = llm_query_batched(prompts)
findings = []
for reply in replies:
    for line in reply.splitlines():
        parts = [part.strip() for part in line.split(" | ")]
        m = re.match(r"\[(\S+) §([\d.]+)\]", parts[0])
        if m and len(parts) >= 6 and parts[1] == "PRIVACY":
            findings.append({"contract": m.group(1), "clause": m.group(2), "verdict": parts[2], "problem": parts[3], "fix": parts[4], "quote": parts[5].strip('"')})
flagged = [f for f in findings if f["verdict"] == "NON-COMPLIANT"]
print(len(findings), "privacy clauses;", len(flagged), "non-compliant")

def heading(key):
    text = context[key]
    parties = re.findall(r'\("(\w+)"\)', text[:800])
    return f"{key} ({text.split(chr(10), 1)[0].strip().title()}, {' and '.join(parties)})"

out = [f"Data-privacy clauses: {len(findings)} in {len({f['contract'] for f in findings})} of {len(context)} contracts; {len(flagged)} flagged non-compliant.", ""]
for key in order:
    mine = [f for f in findings if f["contract"] == key]
    if not mine:
        continue
    out.append(heading(key))
    for f in mine:
        out.append(f"  §{f['clause']} {f['verdict']}" + (f": {f['problem']}" if f["verdict"] == "NON-COMPLIANT" else ""))
        out.append(f"    \"{f['quote']}\"")
        if f["verdict"] == "NON-COMPLIANT":
            out.append(f"    Suggested: {f['fix']}")
    out.append("")
review = "\n".join(out)
print(review[:2500])
`;

const ROOT_TURNS = [
  `Let me see how the contracts are laid out.\n\`\`\`repl${PROBE}\`\`\``,
  `Clauses are numbered and wrapped with an indent. I'll split every contract into clauses and keep those with privacy terms.\n\`\`\`repl${SPLIT}\`\`\``,
  `Some candidates are look-alikes (payment processor, material breach). A sub-model reviews each contract's candidates; I assemble the findings per contract.\n\`\`\`repl${REVIEW}\`\`\``,
  'The review covers every contract.\n```repl\nFINAL_VAR("review")\n```',
];

const PRIVACY = /personal data|personal information|data subject|GDPR|data protection/i;

/** Non-compliant patterns: problem and better wording. */
const PROBLEMS: readonly [RegExp, string, string][] = [
  [/sole discretion/i, 'shares Personal Data with third parties without the controller\'s instructions or authorisation (GDPR Art. 28(2), 28(3)(a))', 'share Personal Data only on documented instructions, and engage sub-processors only with prior written authorisation'],
  [/thirty \(30\) days/i, 'notice of a breach later than 72 hours (GDPR Art. 33(2): without undue delay)', 'notify without undue delay, and in any event within 72 hours of becoming aware of a Personal Data Breach'],
  [/indefinitely/i, 'no limit on retention (storage limitation, GDPR Art. 5(1)(e))', 'keep Personal Data only as long as needed for the Services, then delete or return it'],
  [/any country/i, 'transfers outside the EEA without safeguards (GDPR Chapter V, Art. 44-46)', 'transfer outside the EEA only under an adequacy decision or the Standard Contractual Clauses'],
  [/marketing/i, 'uses Personal Data for the processor\'s own purposes (purpose limitation, GDPR Art. 5(1)(b), 28(10))', 'use Personal Data only to provide the Services'],
  [/on behalf of all its end users/i, 'consent cannot be given on behalf of data subjects (GDPR Art. 4(11), 7)', 'state the lawful basis of each processing and how data subjects are informed'],
];

function quote(text: string): string {
  if (text.length <= ABRIDGE_OVER) return text;
  const head = text.lastIndexOf(' ', 90);
  const tail = text.indexOf(' ', text.length - 60);
  return `${text.slice(0, head)} … ${text.slice(tail + 1)}`;
}

/** The sub-model: one verdict per clause of the prompt. */
function review(prompt: string): string {
  const lines: string[] = [];
  for (const match of prompt.matchAll(/^(\[\S+ §[\d.]+\]) (.*)$/gm)) {
    const [, id, text = ''] = match;
    if (!PRIVACY.test(text)) {
      lines.push(`${id} | NOT PRIVACY`);
      continue;
    }
    const problem = PROBLEMS.find(([pattern]) => pattern.test(text));
    lines.push(
      problem === undefined
        ? `${id} | PRIVACY | COMPLIANT | - | - | "${quote(text)}"`
        : `${id} | PRIVACY | NON-COMPLIANT | ${problem[1]} | ${problem[2]} | "${quote(text)}"`,
    );
  }
  if (lines.length === 0) throw new Error(`no clauses in the sub-prompt:\n${prompt.slice(0, 500)}`);
  return lines.join('\n');
}

/** Reply function for `startOpenAICompatibleServer`: root turns by their number, sub-calls by their prompt. */
export const reply = scriptedReply({ root: ROOT_TURNS, subModel: review });
