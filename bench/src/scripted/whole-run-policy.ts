import { MARKER_WORD, countWord } from './needle-text.js';
import { SUB_QUESTION, type PolicyRequest } from './overhead-policy.js';

/**
 * The scripted policy of the whole-run scenario (issue 22): probe → chunks → `llm_query_batched` →
 * answer, four root turns. Works whatever shape `context` has in the REPL: a str (stdin, the Python
 * reference) or the dict `{file name: text}` the rlms CLI makes of a named file (one document:
 * `"".join` of one str returns that str, no copy).
 */
export type WholeRunDialect = 'rlms-root' | 'pyrlm-root' | 'sub';

/** Which caller sent a request: the rlms root, the Python reference's root (alexzhang13/rlm), or a sub-call. */
export function detectWholeRunDialect(request: PolicyRequest): WholeRunDialect {
  const system = request.systemPrompt;
  if (system === undefined) return 'sub';
  // The reference's default system prompt (rlm/utils/prompts.py, RLM_SYSTEM_PROMPT).
  if (system.includes('You are a Recursive Language Model (RLM): a language model with a prompt')) return 'pyrlm-root';
  return 'rlms-root';
}

const block = (code: string): string => `\`\`\`repl\n${code}\n\`\`\``;

/** The code of root turn `turn` (0-based) for `dialect`. */
export function wholeRunStep(dialect: 'rlms-root' | 'pyrlm-root', turn: number, chunkChars: number): string {
  switch (turn) {
    case 0:
      return block(
        [
          'text = context if isinstance(context, str) else "".join(context.values() if isinstance(context, dict) else context)',
          'print(type(context).__name__, len(text))',
          'print(text[:200])',
        ].join('\n'),
      );
    case 1:
      return block(`chunks = [text[i:i + ${chunkChars}] for i in range(0, len(text), ${chunkChars})]\nprint(len(chunks), "chunks")`);
    case 2:
      return block(`answers = llm_query_batched([${JSON.stringify(`${SUB_QUESTION}\n\n`)} + chunk for chunk in chunks])\nprint(len(answers), answers[:4])`);
    default:
      return dialect === 'pyrlm-root'
        ? block('answer["content"] = str(sum(int(a) for a in answers))\nanswer["ready"] = True')
        : block('FINAL(sum(int(a) for a in answers))');
  }
}

/** The scripted model's reply to one request of the whole-run scenario. Deterministic; reads only the request. */
export function wholeRunPolicyReply(request: PolicyRequest, options: { readonly chunkChars: number }): string {
  const dialect = detectWholeRunDialect(request);
  if (dialect === 'sub') return String(countWord(request.lastUserMessage ?? '', MARKER_WORD));
  const turns = request.messages.filter((message) => message.role === 'assistant').length;
  return wholeRunStep(dialect, turns, options.chunkChars);
}
