import type { ContextMetadata } from './context.js';
import { toJsonSchema, type AnswerSchema } from '../schema/schema.js';
import type { PromptStyle, RLMTool } from '../api/settings.js';

/** What the system prompt needs to know about the run. */
export interface PromptFacts {
  readonly style: PromptStyle;
  /** Approximate characters one `llm_query` prompt may hold, when the sub-model's window is known. */
  readonly subModelCapacityChars?: number;
  /** Whether `rlm_query` starts a child RLM (true) or is a plain sub-call (false). */
  readonly recursive: boolean;
  readonly subModelNames: readonly string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly tools: Readonly<Record<string, RLMTool<any>>>;
  /** The expected shape of the answer, when the query has a schema. */
  readonly answerSchema?: AnswerSchema;
  /** Whether the sandbox can import native packages (numpy, pandas…) or has the standard library only (`sandbox.capabilities.nativePackages`). */
  readonly nativePackages?: boolean;
}

/** One line telling the model which Python packages it may import. */
function packagesLine(nativePackages: boolean | undefined): string {
  if (nativePackages === undefined) return '';
  return nativePackages
    ? "\nThe REPL has Python's standard library and the third-party packages installed in the sandbox (try `import numpy` before relying on it).\n"
    : "\nThe REPL has Python's standard library only (re, json, collections, math, statistics…): numpy, pandas and other third-party packages cannot be imported.\n";
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toolSection(tools: Readonly<Record<string, RLMTool<any>>>): string {
  const names = Object.keys(tools);
  if (names.length === 0) return '';
  const lines = names.map((name) => {
    const tool = tools[name]!;
    const json = tool.parameters === undefined ? undefined : toJsonSchema(tool.parameters);
    const properties = (json?.properties ?? {}) as Record<string, { type?: string; description?: string }>;
    const args = Object.entries(properties)
      .map(([arg, schema]) => `${arg}${schema.type ? `: ${schema.type}` : ''}`)
      .join(', ');
    return `- \`${name}(${args})\`${tool.description ? `: ${tool.description}` : ''}`;
  });
  return `\nHost tools (call them with keyword arguments; they return JSON values):\n${lines.join('\n')}\n`;
}

function schemaSection(schema: AnswerSchema | undefined): string {
  if (schema === undefined) return '';
  const json = toJsonSchema(schema);
  const shape = json === undefined ? 'the shape described in the question' : `this JSON Schema (also in the REPL as \`ANSWER_SCHEMA\`):\n${JSON.stringify(json)}`;
  return `\nThe final value must be structured data (a dict, list, number… — not a JSON string, not prose) matching ${shape}\nIf it does not match, you will be told what to fix.`;
}

/** Builds the system prompt of a run. */
export function buildSystemPrompt(facts: PromptFacts): string {
  const capacity =
    facts.subModelCapacityChars === undefined
      ? 'Keep each sub-call prompt well below the sub-model\'s context window (a few hundred thousand characters at most).'
      : `Each sub-call prompt can hold about ${facts.subModelCapacityChars.toLocaleString('en-US')} characters; split larger inputs.`;
  const rlm = facts.recursive
    ? '- `rlm_query(prompt, context=None, model=None) -> str`: starts a child RLM with its own REPL over `context` (any JSON-compatible value) for sub-problems that are themselves too large or need code (`model=` picks a configured sub-model as the child\'s root model). `rlm_query_batched(prompts, contexts=None, model=None) -> list[str]` runs several.'
    : '- `rlm_query(prompt, context=None) -> str` and `rlm_query_batched(...)`: at this depth, a plain sub-model call on prompt + context.';
  const models =
    facts.subModelNames.length > 0
      ? `\nSub-models you can pick with \`model=\`: ${facts.subModelNames.map((name) => `"${name}"`).join(', ')}.\n`
      : '';
  const finish =
    facts.style === 'paper'
      ? `When you are done, write on its own line, outside any code block, either FINAL(your final answer) or FINAL_VAR(variable_name) to return a variable you created in the REPL. Only do this once you have seen the output of your code.`
      : `When you are done, call \`FINAL(answer)\` in a \`\`\`repl block, or \`FINAL_VAR("variable_name")\` to return a variable you built in the REPL. The value may be a string or any JSON-compatible structure. Outside code, a line \`FINAL(answer)\` or \`FINAL_VAR(variable_name)\` is accepted after your code in the same response once that code ran without error (the value is read after it ran), or in a response with no code.`;

  return `You are answering a question about a large input that is NOT in this conversation. It is loaded in a Python REPL as the variable \`context\`. You explore it by writing Python code; the REPL runs it and shows you the output. Variables persist between code blocks.

Write code in fenced blocks tagged \`repl\`:
\`\`\`repl
print(type(context), len(context))
print(context[:500] if isinstance(context, str) else list(context)[:10])
\`\`\`
Several blocks per response are run in order. You will see their output (long output is cut in the middle, so print summaries, not whole documents).

Functions available in the REPL:
- \`llm_query(prompt, model=None) -> str\`: asks a sub-model (a capable LLM) and returns its answer. Use it to read, classify, summarise or extract from chunks of the context that are too large to print. ${capacity}
- \`llm_query_batched(prompts, model=None) -> list[str]\`: many independent prompts at once, run in parallel: much faster than a loop of llm_query.
${rlm}
- \`SHOW_VARS()\`: lists the variables you have defined.
${models}${toolSection(facts.tools)}${packagesLine(facts.nativePackages)}
How to work:
1. Probe first: look at the type, size and structure of \`context\` (keys, first items, a few hundred characters) before anything else.
2. Narrow down with code: search with \`re\`, \`in\`, filters and counts before reading. Never print the whole context.
3. Split what must be read into chunks that fit a sub-call, and process them with \`llm_query_batched\`; keep partial results in variables.
4. Aggregate in code, check the result against the sources (quote them exactly when asked), then finish.

${finish}${schemaSection(facts.answerSchema)}
Do not answer from memory or guess: every claim must come from the context.`;
}

/** Marks the question in the first user message (replays find runs by it). */
export const QUESTION_PREFIX = 'Question: ';
/** Follows the question in the first user message. */
export const QUESTION_SUFFIX = 'Start by exploring the context in the REPL. Your next response must contain code.';
/** Starts the closing "answer now" request. */
export const FINAL_ANSWER_PREFIX = 'The run must stop now: ';

/** The first user message: the context's metadata and the question. */
export function buildMetadataMessage(metadata: ContextMetadata, question: string): string {
  const lines = [
    `The context is a Python ${metadata.type} with ${metadata.totalChars.toLocaleString('en-US')} characters in total` +
      (metadata.type === 'str' ? '.' : ` across ${metadata.length.toLocaleString('en-US')} ${metadata.type === 'dict' ? 'documents (keys)' : 'items'}.`),
  ];
  if (metadata.documents.length > 0) {
    const shown = metadata.documents
      .map((document) => `  ${metadata.type === 'dict' ? JSON.stringify(document.key) : `[${document.key}]`}: ${document.chars.toLocaleString('en-US')} chars`)
      .join('\n');
    const more = metadata.length - metadata.documents.length;
    lines.push(`Sizes:\n${shown}${more > 0 ? `\n  … and ${more.toLocaleString('en-US')} more` : ''}`);
  }
  lines.push('', `${QUESTION_PREFIX}${question}`, '', QUESTION_SUFFIX);
  return lines.join('\n');
}

/** Sent when a response had neither code nor a final answer. */
export const NUDGE_NO_CODE =
  'Your response contained no ```repl code block and no final answer. Continue by writing code in a ```repl block to explore the context, or finish with FINAL(...) / FINAL_VAR(...).';

/** Sent when a response ended inside an unterminated code block. */
export const NUDGE_UNTERMINATED =
  'Your response ended inside a code block that was never closed (missing closing ```), so nothing was run. Send the code again, complete, in a ```repl block; keep it shorter if you were cut off.';

/** The closing request when a run must stop early. */
export function buildFinalAnswerRequest(reason: string): string {
  return `${FINAL_ANSWER_PREFIX}${reason}. Do not write more code. Based only on what you have found so far, give your best final answer now, on one line as FINAL(your answer). Say briefly what remains uncertain.`;
}
