import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createRetrievalChain } from '@langchain/classic/chains/retrieval';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import type { DocumentInterface } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { FakeEmbeddings } from '@langchain/core/utils/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { RLMChain, type RLMChainOutput } from '../src/index.js';
import { corpus, grepAndAskCode } from './helpers.js';

const QUESTION = 'How long do customers have to ask for a refund?';
const SUB_REPLY = 'Refunds within 30 days, paid in five business days.';

const mentionsRefund = (document: DocumentInterface) => document.pageContent.toLowerCase().includes('refund');

/**
 * A vector store retriever over the corpus, as users build one: `MemoryVectorStore.asRetriever()`.
 * The fake embeddings rank every document alike, so the filter decides what is retrieved: the two
 * documents mentioning "refund", in corpus order.
 */
async function vectorStoreRetriever() {
  const store = await MemoryVectorStore.fromDocuments(corpus(), new FakeEmbeddings());
  return store.asRetriever({ k: 4, filter: mentionsRefund });
}

/** A hand-written retriever: the `BaseRetriever` subclass a custom search would be. */
class RefundRetriever extends BaseRetriever {
  override lc_namespace = ['test'];
  override async _getRelevantDocuments(): Promise<DocumentInterface[]> {
    return corpus().filter(mentionsRefund);
  }
}

const sandbox = createLocalSandbox();
afterAll(async () => {
  await sandbox.close?.();
});

/** An RLMChain whose scripted root model greps the documents for "refund" and asks a sub-model about each. */
function chain(): RLMChain {
  const model = new MockModel({ replies: (call) => (call.system === undefined ? SUB_REPLY : grepAndAskCode('refund')) });
  return new RLMChain({ rlm: { model, sandbox, maxIterations: 3 } });
}

describe('RLMChain in createRetrievalChain (@langchain/classic/chains/retrieval)', () => {
  it('asCombineDocumentsChain(): `answer` is the answer string, read from the retrieved documents', async () => {
    const retrievalChain = await createRetrievalChain({ retriever: await vectorStoreRetriever(), combineDocsChain: chain().asCombineDocumentsChain() });
    const output = await retrievalChain.invoke({ input: QUESTION });
    expect(typeof output.answer).toBe('string');
    // The sub-model was asked about each retrieved document, and the answer cites their keys.
    expect(output.answer).toBe(`${SUB_REPLY}; ${SUB_REPLY} (sources: handbook.md#0, changelog.md#1)`);
    // `context` stays what the retriever returned.
    expect(output.context.map((document) => document.metadata['section'] ?? document.metadata['source'])).toEqual(['refunds', 'changelog.md']);
    expect(output.chat_history).toEqual([]);
    expect(output.input).toBe(QUESTION);
  });

  it('works the same with a BaseRetriever subclass', async () => {
    const retrievalChain = await createRetrievalChain({ retriever: new RefundRetriever(), combineDocsChain: chain().asCombineDocumentsChain() });
    const output = await retrievalChain.invoke({ input: QUESTION, chat_history: 'human: hi\nai: hello' });
    expect(output.answer).toBe(`${SUB_REPLY}; ${SUB_REPLY} (sources: handbook.md#0, changelog.md#1)`);
    expect(output.chat_history).toBe('human: hi\nai: hello');
  });

  it('streams `answer` as one string chunk', async () => {
    const retrievalChain = await createRetrievalChain({ retriever: await vectorStoreRetriever(), combineDocsChain: chain().asCombineDocumentsChain() });
    const answers: unknown[] = [];
    for await (const chunk of await retrievalChain.stream({ input: QUESTION })) {
      if ('answer' in chunk) answers.push(chunk.answer);
    }
    expect(answers).toEqual([`${SUB_REPLY}; ${SUB_REPLY} (sources: handbook.md#0, changelog.md#1)`]);
  });

  it('given the chain itself, `answer` is the chain’s whole output object (and typed so)', async () => {
    const retrievalChain = await createRetrievalChain({ retriever: new RefundRetriever(), combineDocsChain: chain() });
    const output = await retrievalChain.invoke({ input: QUESTION });
    const answer: RLMChainOutput = output.answer;
    expect(typeof answer).toBe('object');
    expect(answer.answer).toContain(SUB_REPLY);
    expect(answer.sourceKeys).toEqual(['handbook.md#0', 'changelog.md#1']);
  });
});
