import { ConfigurationError } from '@rlms/core';
import type { JSONValue } from '@llamaindex/core/global';
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
  /** Include the source document names (`sources`) in the tool output. Default `true`. */
  readonly includeSources?: boolean;
}

const MAX_LISTED = 8;

function defaultDescription(engine: RLMQueryEngine): string {
  const keys = engine.documents.map((document) => document.key);
  const listed = keys.slice(0, MAX_LISTED).join(', ') + (keys.length > MAX_LISTED ? `, and ${keys.length - MAX_LISTED} more` : '');
  return `Answers a question by reading ${keys.length} document(s) in full with a Recursive Language Model (${listed}). Use it for questions that need facts from these documents; pass one self-contained question.`;
}

/**
 * An agent tool (a LlamaIndex `FunctionTool`) that asks `engine` one question. Its output is
 * `{ content, sources }`: the answer and the names of the documents used (plus `status` when a
 * budget stopped the run early). A failed run throws, which agents report to their LLM as a tool error.
 *
 * The engine also works with `QueryEngineTool` from the `llamaindex` package; this tool adds the
 * source names without serialising whole nodes into the agent's context.
 *
 * @throws ConfigurationError for an empty `name`.
 */
export function createRLMQueryTool(engine: RLMQueryEngine, options: RLMQueryToolOptions = {}): FunctionTool<RLMQueryToolInput, Promise<JSONValue>> {
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
  const call = async (input: RLMQueryToolInput): Promise<JSONValue> => {
    const response = await engine.query({ query: input.query });
    const rlm = response.metadata['rlm'] as RLMResponseMetadata;
    return {
      content: response.toString(),
      ...(includeSources ? { sources: [...rlm.sourceKeys] } : {}),
      ...(rlm.status === 'completed' ? {} : { status: rlm.status }),
    };
  };
  return new FunctionTool<RLMQueryToolInput, Promise<JSONValue>>(call, metadata);
}
