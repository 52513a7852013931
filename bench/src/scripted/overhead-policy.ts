import { MARKER_WORD, countWord } from './needle-text.js';

/**
 * The scripted RLM policy of the overhead workload, in the dialect of each implementation:
 * probe → chunk → batched sub-calls → aggregate → final answer. The sub-model counts the marker
 * word in its chunk, so the right final answer is the number of markers in the context.
 */
export interface OverheadPolicyOptions {
  /** Characters per chunk (a multiple of the workload's line width keeps lines whole). */
  readonly chunkChars: number;
}

/** What the policy sees of one model request. */
export interface PolicyRequest {
  readonly systemPrompt: string | undefined;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  readonly lastUserMessage: string | undefined;
}

/** Which implementation and which role a request comes from. */
export type PolicyDialect =
  | 'rlms-root'
  | 'rlms-sub'
  | 'ax-actor'
  | 'ax-subquery'
  | 'ax-responder'
  | 'rlts-root'
  | 'rlts-child';

/** The question that makes the policy time one batch of N sub-calls instead of counting markers. */
export function batchQuestion(prompts: number): string {
  return `Time a batch of ${prompts} sub-calls.`;
}

const BATCH_RE = /Time a batch of (\d+) sub-calls\./;

/** The sub-question of every chunk. It must not contain the marker word. */
export const SUB_QUESTION = 'How many times does the marker word appear in the text below? Reply with a number only.';

/** Tells which implementation (rlms, @ax-llm/ax, recursive-llm-ts) and role sent a request, from its prompts. */
export function detectDialect(request: PolicyRequest): PolicyDialect {
  const system = request.systemPrompt;
  if (system === undefined) return 'rlms-sub';
  if (system.includes('You are a Recursive Language Model. You interact with context through a JavaScript REPL')) {
    return /Depth: 0\s*$/.test(system) ? 'rlts-root' : 'rlts-child';
  }
  if (system.includes('## Distiller') || system.includes('## Executor')) return 'ax-actor';
  if (system.includes('`Context Data`')) return 'ax-responder';
  if (system.includes('`Task`, `Context`')) return 'ax-subquery';
  return 'rlms-root';
}

const block = (language: string, code: string): string => `\`\`\`${language}\n${code}\n\`\`\``;

function rlmsStep(step: number, chunkChars: number): string {
  switch (step) {
    case 0:
      return block('repl', 'print(type(context).__name__, len(context))\nprint(context[:200])');
    case 1:
      return block('repl', `chunks = [context[i:i + ${chunkChars}] for i in range(0, len(context), ${chunkChars})]\nprint(len(chunks), "chunks")`);
    case 2:
      return block('repl', `answers = llm_query_batched([${JSON.stringify(`${SUB_QUESTION}\n\n`)} + chunk for chunk in chunks])\nprint(answers[:4])`);
    case 3:
      return block('repl', 'total = sum(int(answer) for answer in answers)\nprint(total)');
    default:
      return block('repl', 'FINAL(total)');
  }
}

const AX_STEPS = ['probe', 'chunk', 'batched', 'aggregate', 'final'] as const;

function axStep(done: number, chunkChars: number): string {
  const step = AX_STEPS[Math.min(done, AX_STEPS.length - 1)]!;
  const marker = ` // rlms-step:${step}`;
  switch (step) {
    case 'probe':
      return `console.log(typeof inputs.context, inputs.context.length, inputs.context.slice(0, 200));${marker}`;
    case 'chunk':
      return `const chunks = []; for (let i = 0; i < inputs.context.length; i += ${chunkChars}) chunks.push(inputs.context.slice(i, i + ${chunkChars})); console.log(chunks.length, 'chunks');${marker}`;
    case 'batched':
      return `const answers = await llmQuery(chunks.map((chunk) => ({ query: ${JSON.stringify(SUB_QUESTION)}, context: chunk }))); console.log(answers.slice(0, 4));${marker}`;
    case 'aggregate':
      return `const total = answers.reduce((sum, answer) => sum + Number.parseInt(answer, 10), 0); console.log(total);${marker}`;
    default:
      return `await respond('Report the total count', { total });${marker}`;
  }
}

function rltsStep(step: number, chunkChars: number, lastOutput: string): string {
  const chunking = `const chunks = []; for (let i = 0; i < context.length; i += ${chunkChars}) chunks.push(context.slice(i, i + ${chunkChars}));`;
  switch (step) {
    case 0:
      return block('javascript', 'console.log(typeof context, context.length, context.slice(0, 200));');
    case 1:
      return block('javascript', `${chunking} console.log(chunks.length, 'chunks');`);
    case 2:
      // No state survives between iterations (a new VM per step) and there is no batched call: recompute, then sequential child RLMs.
      return block('javascript', `${chunking} const answers = chunks.map((chunk) => recursive_llm(${JSON.stringify(SUB_QUESTION)}, chunk)); console.log(JSON.stringify(answers));`);
    case 3:
      // The model carries the printed answers over by writing them into the code.
      return block('javascript', `const answers = ${lastOutput.trim()}; const total = answers.reduce((sum, answer) => sum + Number.parseInt(answer, 10), 0); console.log(total);`);
    default:
      return `FINAL("${lastOutput.trim()}")`;
  }
}

function batchReply(dialect: PolicyDialect, prompts: number, request: PolicyRequest, assistantTurns: number): string | undefined {
  const user = request.lastUserMessage ?? '';
  switch (dialect) {
    case 'rlms-root':
      return assistantTurns === 0
        ? block('repl', `answers = llm_query_batched(["item %d: ${MARKER_WORD}" % i for i in range(${prompts})])\nprint(len(answers))`)
        : block('repl', 'FINAL(sum(int(answer) for answer in answers))');
    case 'ax-actor':
      return user.includes('// rlms-step:batch')
        ? "await respond('Report the total count', { total: answers.reduce((sum, answer) => sum + Number.parseInt(answer, 10), 0) }); // rlms-step:final"
        : `const answers = await llmQuery(Array.from({ length: ${prompts} }, (_, i) => ({ query: 'item ' + i + ': ${MARKER_WORD}', context: 'none' }))); console.log(answers.length); // rlms-step:batch`;
    case 'rlts-root':
      return assistantTurns === 0
        ? block('javascript', `const answers = []; for (let i = 0; i < ${prompts}; i++) answers.push(recursive_llm('item ' + i + ': ${MARKER_WORD}', 'none')); console.log(answers.reduce((sum, answer) => sum + Number.parseInt(answer, 10), 0));`)
        : `FINAL("${user.trim()}")`;
    default:
      return undefined;
  }
}

/**
 * The reply of the scripted model to one request of the overhead workload. Deterministic; reads
 * only the request. Sub-calls answer the true marker count of their chunk.
 */
export function overheadPolicyReply(request: PolicyRequest, options: OverheadPolicyOptions): string {
  const dialect = detectDialect(request);
  const user = request.lastUserMessage ?? '';
  const assistantTurns = request.messages.filter((message) => message.role === 'assistant').length;
  const batch = request.messages.map((message) => BATCH_RE.exec(message.content)).find((match) => match !== null);
  if (batch != null) {
    const reply = batchReply(dialect, Number(batch[1]), request, assistantTurns);
    if (reply !== undefined) return reply;
  }
  switch (dialect) {
    case 'rlms-root':
      return rlmsStep(assistantTurns, options.chunkChars);
    case 'rlms-sub':
    case 'ax-subquery':
      return String(countWord(user, MARKER_WORD));
    case 'ax-actor':
      return axStep(AX_STEPS.filter((step) => user.includes(`// rlms-step:${step}`)).length, options.chunkChars);
    case 'ax-responder':
      return /"total":\s*(\d+)/.exec(user)?.[1] ?? 'unknown';
    case 'rlts-root':
      return rltsStep(assistantTurns, options.chunkChars, user);
    case 'rlts-child':
      // A child RLM: its chunk is in its REPL, not in the prompt. Look, then answer.
      if (assistantTurns > 0) return `FINAL("${user.trim()}")`;
      // The marker is in the sub-query itself (batch timing): answer at once.
      if (user.includes(MARKER_WORD)) return `FINAL("${countWord(user, MARKER_WORD)}")`;
      return block('javascript', `console.log(context.split(${JSON.stringify(MARKER_WORD)}).length - 1);`);
  }
}
