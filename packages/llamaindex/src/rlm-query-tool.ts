import { ConfigurationError } from '@rlms/core';
import type { ToolMetadata } from '@llamaindex/core/llms';
import { FunctionTool } from '@llamaindex/core/tools';
import type { RLMQueryEngine } from './rlm-query-engine.js';
import type { RLMResponseMetadata } from './rlm-query-engine-types.js';

/** The tool's input: one self-contained question. */
export interface RLMQueryToolInput {
  readonly query: string;
}

/** Options of {@link createRLMQueryTool}. */
export interface RLMQueryToolOptions {
  /** Tool name shown to the agent's LLM. Default `'rlm_query_engine'`. */
  readonly name?: string;
  /** What the tool is for. Default: a sentence naming the first document names and their count. */
  readonly description?: string;
  /** End the tool's text with the names of the documents used (`[Sources: a.md, b.md]`). Default `true`. */
  readonly includeSources?: boolean;
}

const MAX_LISTED = 8;
/** Source names written out in the tool's text; the rest are counted. */
const MAX_LISTED_SOURCES = 10;

/** The text an agent's LLM reads: the answer, a note when a budget stopped the run, and the sources. */
function toolText(answer: string, rlm: RLMResponseMetadata, includeSources: boolean): string {
  const parts = [answer.trim().length > 0 ? answer : '(no answer)'];
  if (rlm.status !== 'completed') parts.push(`[The search stopped early (${rlm.status}): ${rlm.statusDetail ?? 'a budget was reached'}.]`);
  if (includeSources && rlm.sourceKeys.length > 0) {
    const keys = rlm.sourceKeys;
    const more = keys.length - MAX_LISTED_SOURCES;
    parts.push(`[Sources: ${keys.slice(0, MAX_LISTED_SOURCES).join(', ')}${more > 0 ? `, and ${more} more` : ''}]`);
  }
  return parts.join(' ');
}

function defaultDescription(engine: RLMQueryEngine): string {
  const keys = engine.documents.map((document) => document.key);
  const listed = keys.slice(0, MAX_LISTED).join(', ') + (keys.length > MAX_LISTED ? `, and ${keys.length - MAX_LISTED} more` : '');
  return `Answers a question by reading ${keys.length} document(s) in full with a Recursive Language Model (${listed}). Use it for questions that need facts from these documents; pass one self-contained question.`;
}

/**
 * An agent tool (a LlamaIndex `FunctionTool`) that asks `engine` one question. Its output is text
 * for the agent's LLM: the answer, then `[Sources: a.md, b.md]` (the names of the documents used,
 * up to 10 and a count of the rest) and, when a budget stopped the run early, a note saying so.
 * A failed run throws, which agents report to their LLM as a tool error.
 *
 * The engine also works with `QueryEngineTool` from the `llamaindex` package; this tool adds the
 * source names without serialising whole nodes into the agent's context.
 *
 * @throws ConfigurationError for an empty `name`.
 */
export function createRLMQueryTool(engine: RLMQueryEngine, options: RLMQueryToolOptions = {}): FunctionTool<RLMQueryToolInput, Promise<string>> {
  const name = options.name ?? 'rlm_query_engine';
  if (typeof name !== 'string' || !/^[A-Za-z_][\w-]{0,63}$/.test(name)) {
    throw new ConfigurationError(`createRLMQueryTool: \`name\` must be 1-64 letters, digits, "_" or "-" starting with a letter or "_"; got ${JSON.stringify(name)}.`, {
      code: 'invalid-setting',
    });
  }
  const includeSources = options.includeSources ?? true;
  const metadata = {
    name,
    description: options.description ?? defaultDescription(engine),
    parameters: {
      type: 'object',
      properties: { query: { type: 'string', description: 'The question to answer from the documents.' } },
      required: ['query'],
    },
  } as unknown as ToolMetadata<never>;
  const call = async (input: RLMQueryToolInput): Promise<string> => {
    const response = await engine.query({ query: input.query });
    return toolText(response.toString(), response.metadata['rlm'] as RLMResponseMetadata, includeSources);
  };
  return new FunctionTool<RLMQueryToolInput, Promise<string>>(call, metadata);
}
