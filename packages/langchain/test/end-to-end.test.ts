/**
 * End to end with a real Python REPL (@rlms/sandbox-local) and LangChain fake chat models:
 * the core end-to-end suite with `fromLangChain(new FakeListChatModel(…))` as the root model,
 * and an `RLMChain` reading a 10 MB corpus of LangChain documents.
 */
import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { Document } from '@langchain/core/documents';
import { AIMessage } from '@langchain/core/messages';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { RLMChain, fromLangChain } from '../src/index.js';
import { trackSessions } from './helpers.js';

testRLMEndToEnd({
  name: 'fromLangChain(FakeListChatModel) + local sandbox',
  sandbox: () => createLocalSandbox(),
  rootModel: (replies) => fromLangChain(new FakeListChatModel({ responses: [...replies] })),
  scenarios: 'main',
});

/** A FakeListChatModel reporting usage like a real integration: ~4 characters per token. */
class MeteredFakeModel extends FakeListChatModel {
  private lastPromptChars = 0;
  override async _generate(messages: Parameters<FakeListChatModel['_generate']>[0], options?: this['ParsedCallOptions']) {
    this.lastPromptChars = messages.reduce((sum, message) => sum + message.text.length, 0);
    return super._generate(messages, options);
  }
  override _formatGeneration(text: string) {
    const input = Math.ceil(this.lastPromptChars / 4);
    const output = Math.ceil(text.length / 4);
    return { text, message: new AIMessage({ content: text, usage_metadata: { input_tokens: input, output_tokens: output, total_tokens: input + output } }) };
  }
}

const TEN_MB = 10 * 1024 * 1024;

/** 2 000 tickets of ~5 KB each; three of them mention a chargeback. */
function tickets(): Document[] {
  const filler = 'The customer asked about delivery times and the agent confirmed the usual schedule. '.repeat(63);
  const documents: Document[] = [];
  for (let index = 0; index < 2_000; index++) {
    const chargeback = index === 17 || index === 911 || index === 1_999;
    const body = chargeback
      ? `Ticket ${index}: the customer filed a chargeback with their bank after a double charge of order ${index * 7}. `
      : `Ticket ${index}: routine enquiry about order ${index * 7}. `;
    documents.push(new Document({ pageContent: body + filler, metadata: { source: `tickets/${index}.txt`, priority: chargeback ? 'high' : 'low' } }));
  }
  return documents;
}

const ROOT_CODE = [
  '```repl',
  'import re',
  'hits = [k for k, v in context.items() if re.search(r"chargeback", v)]',
  'print(len(context), len(hits))',
  'answers = llm_query_batched(["What happened in this ticket? " + context[k][:400] for k in hits])',
  'result = {"count": len(hits), "tickets": hits, "summaries": answers}',
  'FINAL_VAR("result")',
  '```',
].join('\n');

describe('RLMChain over a 10 MB corpus with LangChain models and the local sandbox', () => {
  const sandbox = trackSessions(createLocalSandbox());
  afterAll(async () => {
    await sandbox.close?.();
  });

  it('greps, asks sub-models about the matches, and returns only those documents as sources, with usage', async () => {
    const corpus = tickets();
    const totalChars = corpus.reduce((sum, document) => sum + document.pageContent.length, 0);
    expect(totalChars).toBeGreaterThanOrEqual(TEN_MB);
    const root = new MeteredFakeModel({ responses: [ROOT_CODE] });
    const sub = new MeteredFakeModel({ responses: ['A chargeback after a double charge.'] });
    const chain = new RLMChain({
      rlm: { model: fromLangChain(root, { modelId: 'root' }), subModel: fromLangChain(sub, { modelId: 'sub' }), sandbox },
      documents: corpus,
    });

    const output = await chain.invoke({ input: 'Which tickets involve a chargeback?' });

    expect(output.status, output.statusDetail).toBe('completed');
    expect(output.answerValue).toEqual({
      count: 3,
      tickets: ['tickets/17.txt#17', 'tickets/911.txt#911', 'tickets/1999.txt#1999'],
      summaries: Array.from({ length: 3 }, () => 'A chargeback after a double charge.'),
    });
    expect(output.sourceKeys).toEqual(['tickets/17.txt#17', 'tickets/911.txt#911', 'tickets/1999.txt#1999']);
    expect(output.sourceDocuments.map((document) => document.metadata.priority)).toEqual(['high', 'high', 'high']);
    expect(output.subcalls).toBe(3);
    expect(output.usage.total.calls).toBe(4);
    expect(output.usage.byModel['FakeListChatModel:root']?.calls).toBe(1);
    expect(output.usage.byModel['FakeListChatModel:sub']?.calls).toBe(3);
    expect(output.usage.total.inputTokens).toBeGreaterThan(0);
    expect(output.usage.total.outputTokens).toBeGreaterThan(0);
    expect(output.usage.total.callsWithoutUsage).toBe(0);
    expect(sandbox.live).toBe(0);
  });
});
