import { LLMAgent } from '@llamaindex/core/agent';
import type { ChatMessage, ToolResultOptions } from '@llamaindex/core/llms';
import { tool } from '@llamaindex/core/tools';
import { agent } from '@llamaindex/workflow';
import { QueryEngineTool } from 'llamaindex';
import { describe, expect, it } from 'vitest';
import { RLMQueryEngine, createRLMQueryTool } from '../src/index.js';
import { CORPUS, RETRY_SCRIPT, scriptedRLM, useSandbox } from './helpers.js';
import { ScriptedLLM, type ScriptedCall } from './scripted-llm.js';

const sandbox = useSandbox();
const QUESTION = 'What retry policies do the services use?';
const ANSWER = 'billing: exponential backoff, 5 attempts | search: no retries | changelog: raised from 3 to 5 in v2.3';

/** The tool result the agent's LLM was shown on its second call. */
function toolResultOf(call: ScriptedCall): { content: unknown; text: string } {
  const message = call.messages.at(-1) as ChatMessage<ToolResultOptions>;
  expect(message.options?.toolResult).toBeDefined();
  return { content: message.options!.toolResult.result, text: String(message.content) };
}

/** An agent LLM that calls `toolName` once, then answers with what the tool returned. */
function agentLLM(toolName: string, input: object): ScriptedLLM {
  return new ScriptedLLM({
    model: 'scripted-agent',
    replies: (call, index) => {
      expect(call.toolNames).toContain(toolName);
      if (index === 0) return { text: '', toolCalls: [{ id: 'call_1', name: toolName, input: input as never }] };
      return `From the documents: ${toolResultOf(call).text}`;
    },
  });
}

describe('RLMQueryEngine in LlamaIndex agents', () => {
  it('runs as a QueryEngineTool in a @llamaindex/workflow agent, sources included', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, RETRY_SCRIPT) });
    const serviceDocs = new QueryEngineTool({
      queryEngine: engine,
      metadata: { name: 'service_docs', description: 'Answers questions about our services from their documentation.' },
      includeSourceNodes: true,
    });
    const llm = agentLLM('service_docs', { query: QUESTION });
    const result = await agent({ llm, tools: [serviceDocs] }).run(QUESTION);

    expect(llm.calls).toHaveLength(2);
    // The workflow shows tool output as JSON with the quotes stripped.
    const shown = toolResultOf(llm.calls[1]!).text;
    expect(shown).toContain(`content: ${ANSWER}`);
    expect([...shown.matchAll(/id_: (\S+?),?$/gm)].map((match) => match[1])).toEqual(['services/billing.md', 'services/search.md', 'changelog.md']);
    expect(String(result.data.result)).toContain(ANSWER);
    expect(tracked.live).toBe(0);
  });

  it('runs as createRLMQueryTool (a FunctionTool) in the core LLMAgent loop', async () => {
    const tracked = sandbox();
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(tracked, RETRY_SCRIPT) });
    const rlmTool = engine.asTool({ name: 'service_docs' });
    expect(rlmTool.metadata.description).toContain('6 document(s)');
    expect(rlmTool.metadata.description).toContain('services/billing.md');
    const llm = agentLLM('service_docs', { query: QUESTION });
    const response = await new LLMAgent({ llm, tools: [rlmTool] }).chat({ message: QUESTION });

    expect(llm.calls).toHaveLength(2);
    expect(llm.calls.every((call) => call.stream === false)).toBe(true);
    // The agent's LLM reads text: the answer and the sources' names, not a { content, sources } dump.
    const shown = toolResultOf(llm.calls[1]!);
    expect(shown.content).toBe(`${ANSWER} [Sources: services/billing.md, services/search.md, changelog.md]`);
    expect(shown.text).toBe(shown.content);
    expect(shown.text).not.toMatch(/content:|sources:|[{}]/);
    expect(response.message.content).toContain(ANSWER);
    expect(tracked.live).toBe(0);
  });

  it('works through a plain FunctionTool built with tool()', async () => {
    const tracked = sandbox();
    const engine = RLMQueryEngine.fromDocuments(CORPUS, { rlm: scriptedRLM(tracked, RETRY_SCRIPT) });
    const askDocs = tool(async ({ question }: { question: string }) => (await engine.query({ query: question })).toString(), {
      name: 'ask_docs',
      description: 'Ask the service documentation a question.',
      parameters: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] },
    });
    const llm = agentLLM('ask_docs', { question: QUESTION });
    const result = await agent({ llm, tools: [askDocs] }).run(QUESTION);
    expect(String(result.data.result)).toBe(`From the documents: ${ANSWER}`);
  });

  it('reports a failed run to the agent as a tool error instead of crashing the agent', async () => {
    const engine = new RLMQueryEngine({ documents: CORPUS, rlm: scriptedRLM(sandbox(), [new Error('backend down')]) });
    const llm = agentLLM('service_docs', { query: QUESTION });
    const response = await new LLMAgent({ llm, tools: [engine.asTool({ name: 'service_docs' })] }).chat({ message: QUESTION });
    const message = llm.calls[1]!.messages.at(-1) as ChatMessage<ToolResultOptions>;
    expect(message.options!.toolResult.isError).toBe(true);
    expect(String(message.content)).toContain('backend down');
    expect(response.message.content).toContain('backend down');
  });
});
