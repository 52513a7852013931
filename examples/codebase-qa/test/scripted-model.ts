/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server. The root "model" writes the Python an RLM would write to trace a flow through a
 * source tree (probe → grep → read the code sites with llm_query_batched → assemble → FINAL_VAR);
 * it runs in the sandbox over the real files of packages/core/src, and every line number in the
 * answer is computed there. The sub-"model" picks and explains lines of each numbered snippet.
 */
import { scriptedReply } from '@rlms/examples-shared/testing';

const PROBE = String.raw`
import collections
print(len(context), "files,", sum(len(text) for text in context.values()), "characters")
print(collections.Counter(path.split("/")[0] if "/" in path else "." for path in context).most_common())
print(sorted(context)[:30])
`;

const GREP = String.raw`
import re
lines_of = {path: text.split("\n") for path, text in context.items()}

def grep(pattern, limit=10):
    rx = re.compile(pattern)
    hits = [(path, n, line.strip()) for path in sorted(lines_of) for n, line in enumerate(lines_of[path], 1) if rx.search(line)]
    print(f"{pattern!r}: {len(hits)} hits")
    for path, n, line in hits[:limit]:
        print(f"  {path}:{n}: {line[:110]}")
    return hits

grep(r"host_call")
grep(r"case 'llm_query'")
grep(r"\.generate\(")
`;

const TRACE = String.raw`
def snippet(path, start, max_lines=40):
    """Lines from start to the end of the block it opens; for a case, up to the next case."""
    lines = lines_of[path]
    out, depth, opened = [], 0, False
    is_case = re.match(r"\s*case ", lines[start - 1]) is not None
    for n in range(start, min(len(lines), start + max_lines - 1) + 1):
        line = lines[n - 1]
        if is_case and n > start and re.match(r"\s*(case |default:)", line):
            break
        out.append((n, line))
        depth += line.count("{") - line.count("}")
        opened = opened or "{" in line
        if (opened and depth <= 0 and not is_case) or (not opened and not is_case and n - start >= 6):
            break
    return out

# (step, [(a text the file must contain, the line to start reading at)])
PLAN = [
    ("1. Where the request enters the host", [("", r"case 'host_call'")]),
    ("2. How it is decoded and dispatched", [
        ("", r"^\s+dispatch\(\w+"),
        ("", r"function hostCallFromWire\("),
        ("createHostBridge", r"case 'llm_query':"),
    ]),
    ("3. How the sub-model is called", [("", r"async function llm\("), ("", r"function callModel\("), ("", r"function callProvider\(")]),
    ("4. How the answer gets back", [("host_result", r"result\.then\("), ("host_result", r"^\s+#answer\(\w+")]),
]
jobs, covered = [], set()
for title, targets in PLAN:
    for must_contain, pattern in targets:
        hits = [(path, n) for path in sorted(lines_of) if must_contain in context[path]
                for n, line in enumerate(lines_of[path], 1) if re.search(pattern, line)]
        for path, n in hits[:2]:
            if (path, n) in covered:
                continue
            lines = snippet(path, n)
            covered.update((path, m) for m, _ in lines)
            jobs.append((title, path, lines))
print(len(jobs), "code sites:", [(path, lines[0][0], len(lines)) for _, path, lines in jobs])

PROMPT = """You are helping a new engineer understand a codebase. Below is code from {path}, lines {first}-{last} (line numbers on the left).
It is one step of this flow: {title}, for an llm_query call made by Python code in the sandbox, on its way to the sub-model and back.
List the lines that matter for this step, at most 6, one per line, exactly as:
- {path}:<line> ` + "`<code of that line>`" + String.raw` - <what it does in the flow>

{code}"""
prompts = [
    PROMPT.format(path=path, first=lines[0][0], last=lines[-1][0], title=title, code="\n".join(f"{n:5d}| {line}" for n, line in lines))
    for title, path, lines in jobs
]
explanations = llm_query_batched(prompts)

SAFETY = re.compile(r"semaphore|acquire\(|WINDOW_SHARE|budget|reserve\(|maxRetries|isRetryable|aborted|TypeError|timeout", re.I)
safety, seen = [], set()
for _, path, lines in jobs:
    for n, line in lines:
        code = line.strip()
        if SAFETY.search(code) and not code.startswith(("//", "*", "/*")) and chr(96) not in code and (path, n) not in seen:
            seen.add((path, n))
            safety.append((path, n, code))

sections = {}
for (title, path, lines), text in zip(jobs, explanations):
    sections.setdefault(title, []).extend(line.strip() for line in text.splitlines() if line.strip().startswith("- "))
out = [f"How an llm_query call travels from the sandbox to the sub-model and back ({len(context)} files searched, {len(jobs)} code sites read)", ""]
for title, _ in PLAN:
    out.append(title)
    out.extend(sections.get(title) or ["- (not found in this tree)"])
    out.append("")
out.append("5. Safety measures on the way")
out.extend(f"- {path}:{n} ` + "`{code[:120]}`" + String.raw`" for path, n, code in safety[:14])
flow = "\n".join(out)
print(flow)
`;

const ROOT_TURNS = [
  `First, what does the tree look like?\n\`\`\`repl${PROBE}\`\`\``,
  `Let me find where host calls arrive, where llm_query is handled and where models are called.\n\`\`\`repl${GREP}\`\`\``,
  `The call arrives as a host_call frame, is dispatched to the HostBridge, and ends in a provider's generate(). I'll read each code site with a sub-model and assemble the flow.\n\`\`\`repl${TRACE}\`\`\``,
  'The flow is assembled with a path:line for every step.\n```repl\nFINAL_VAR("flow")\n```',
];

const COMMENT = /^\s*(\/\/|\*|\/\*)/;

/** What a line does, judged from its text. */
function describeLine(code: string): { score: number; role: string } | undefined {
  if (code.trim() === '' || COMMENT.test(code) || /^[\s{}()[\];,]*$/.test(code) || code.includes('`')) return undefined;
  let match: RegExpExecArray | null;
  if ((match = /^\s*(?:export\s+)?(?:async\s+)?function\s+(\w+)/.exec(code))) return { score: 5, role: `defines ${match[1]}(), the function for this step` };
  if ((match = /^\s*(?:async\s+)?(#?\w+)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$/.exec(code)) && !/^(if|for|while|switch|catch)$/.test(match[1]!)) {
    return { score: 5, role: `defines the method ${match[1]}()` };
  }
  if ((match = /case '(\w+)'/.exec(code))) return { score: 5, role: `takes the '${match[1]}' branch` };
  if (/\.generate\(/.test(code)) return { score: 5, role: 'calls the model provider (ModelProviderV1.generate) with the messages' };
  if ((match = /throw new (\w+)/.exec(code))) return { score: 3, role: `fails with ${match[1]}` };
  if ((match = /await ([\w.#]+)\(/.exec(code))) return { score: 4, role: `waits for ${match[1]}()` };
  if (/^\s*return\b/.test(code)) return { score: 3, role: 'hands the result back to the caller' };
  if ((match = /([\w.#]+)\(/.exec(code)) && !/^(if|for|while|switch|catch)$/.test(match[1]!)) return { score: 2, role: `calls ${match[1]}()` };
  return undefined;
}

/** The sub-model: the most telling lines of the numbered snippet, with what each does. */
function explain(prompt: string): string {
  const path = /code from (\S+), lines/.exec(prompt)?.[1];
  if (path === undefined) throw new Error(`unexpected sub-prompt:\n${prompt.slice(0, 400)}`);
  const picked: { line: number; code: string; score: number; role: string }[] = [];
  for (const match of prompt.matchAll(/^\s*(\d+)\| (.*)$/gm)) {
    const code = match[2]!;
    const description = describeLine(code);
    if (description !== undefined) picked.push({ line: Number(match[1]), code: code.trim(), ...description });
  }
  const top = picked
    .map((item, index) => ({ ...item, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, 6)
    .sort((a, b) => a.line - b.line);
  return top.map((item) => `- ${path}:${item.line} \`${item.code.slice(0, 120)}\` — ${item.role}`).join('\n');
}

/** Reply function for `startOpenAICompatibleServer`: root turns by their number, sub-calls by their prompt. */
export const reply = scriptedReply({ root: ROOT_TURNS, subModel: explain });
