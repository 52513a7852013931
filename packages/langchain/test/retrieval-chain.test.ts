import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import type { BaseMessage } from '@langchain/core/messages';
import type { DocumentInterface } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RunnablePassthrough, RunnableSequence, type Runnable, type RunnableInterface } from '@langchain/core/runnables';
import { afterAll, describe, expect, it } from 'vitest';
import { RLMChain } from '../src/index.js';
import { corpus, grepAndAskCode } from './helpers.js';

/**
 * `createRetrievalChain` of `@langchain/classic/chains/retrieval` (langchain 1.x), composed the same
 * way from `@langchain/core` (the package is not a dependency here): the combine-documents chain gets
 * `{ input, chat_history, context: Document[] }` and its output becomes `answer`.
 */
function createRetrievalChain<RunOutput>({
  retriever,
  combineDocsChain,
}: {
  retriever: BaseRetriever;
  combineDocsChain: RunnableInterface<Record<string, unknown>, RunOutput>;
}): Runnable<{ input: string; chat_history?: BaseMessage[] | string }, { context: DocumentInterface[]; answer: RunOutput } & Record<string, unknown>> {
  const retrieveDocumentsChain = RunnableSequence.from([(input: { input: string }) => input.input, retriever]);
  return RunnableSequence.from<{ input: string; chat_history?: BaseMessage[] | string }>([
    RunnablePassthrough.assign({
      context: retrieveDocumentsChain.withConfig({ runName: 'retrieve_documents' }),
      chat_history: (input: { chat_history?: BaseMessage[] | string }) => input.chat_history ?? [],
    }),
    RunnablePassthrough.assign({ answer: combineDocsChain }),
  ]).withConfig({ runName: 'retrieval_chain' }) as never;
}

/** A retriever that returns the documents mentioning "refund" (what a vector store would have found). */
class RefundRetriever extends BaseRetriever {
  lc_namespace = ['test'];
  async _getRelevantDocuments(): Promise<DocumentInterface[]> {
    return corpus().filter((document) => document.pageContent.toLowerCase().includes('refund'));
  }
}

const sandbox = createLocalSandbox();
afterAll(async () => {
  await sandbox.close?.();
});

const SUB_REPLY = 'Refunds within 30 days, paid in five business days.';

function chain(): RLMChain {
  const model = new MockModel({ replies: (call) => (call.system === undefined ? SUB_REPLY : grepAndAskCode('refund')) });
  return new RLMChain({ rlm: { model, sandbox, maxIterations: 3 } });
}

describe('RLMChain as createRetrievalChain’s combineDocsChain', () => {
  it('asCombineDocumentsChain() makes `answer` the answer string, reading the retrieved documents', async () => {
    const retrieval = createRetrievalChain({ retriever: new RefundRetriever(), combineDocsChain: chain().asCombineDocumentsChain() });
    const output = await retrieval.invoke({ input: 'How long do customers have to ask for a refund?' });
    expect(typeof output.answer).toBe('string');
    expect(output.answer).toContain(SUB_REPLY);
    // The answer cites the keys of the retrieved documents it read (grepAndAskCode lists them).
    expect(output.answer).toContain('(sources: handbook.md#0, changelog.md#1)');
    expect(output.context.map((document) => document.metadata.section ?? document.metadata.source)).toEqual(['refunds', 'changelog.md']);
    expect(output.chat_history).toEqual([]);
  });

  it('streams the answer as a string chunk through the retrieval chain', async () => {
    const retrieval = createRetrievalChain({ retriever: new RefundRetriever(), combineDocsChain: chain().asCombineDocumentsChain() });
    const answers: unknown[] = [];
    for await (const chunk of await retrieval.stream({ input: 'How long do customers have to ask for a refund?' })) {
      if ('answer' in chunk) answers.push(chunk.answer);
    }
    expect(answers).toHaveLength(1);
    expect(answers[0]).toEqual(expect.stringContaining(SUB_REPLY));
  });

  it('the chain itself still returns its full output object when invoked with the same input', async () => {
    const output = await chain().invoke({ input: 'How long?', chat_history: [], context: await new RefundRetriever().invoke('refund') });
    expect(output.answer).toContain(SUB_REPLY);
    expect(output.sourceKeys).toEqual(['handbook.md#0', 'changelog.md#1']);
  });
});
