import type { SandboxProviderV1, SandboxSessionV1 } from '@rlms/core';
import { Document } from '@langchain/core/documents';

/** Wraps a sandbox provider to count sessions created and still alive (not destroyed). */
export function trackSessions(inner: SandboxProviderV1): SandboxProviderV1 & { readonly created: number; readonly live: number } {
  let created = 0;
  let live = 0;
  return {
    specificationVersion: inner.specificationVersion,
    name: inner.name,
    capabilities: inner.capabilities,
    get created() {
      return created;
    },
    get live() {
      return live;
    },
    async createSession(options) {
      const session = await inner.createSession(options);
      created++;
      live++;
      let destroyed = false;
      const tracked: SandboxSessionV1 = {
        id: session.id,
        loadContext: (payload, loadOptions) => session.loadContext(payload, loadOptions),
        execute: (code, executeOptions) => session.execute(code, executeOptions),
        async destroy() {
          await session.destroy();
          if (!destroyed) {
            destroyed = true;
            live--;
          }
        },
      };
      return tracked;
    },
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
  };
}

/** A small corpus: a handbook in three chunks and a changelog. Each chunk is long enough to fingerprint. */
export function corpus(): Document[] {
  return [
    new Document({
      pageContent:
        'Welcome to Acme. This handbook explains how the support team works, from the first reply to the final survey sent to customers.',
      metadata: { source: 'handbook.md', section: 'intro' },
    }),
    new Document({
      pageContent:
        'Refund policy: customers may ask for a refund within 30 days of purchase. Refunds are paid back to the original card within five business days.',
      metadata: { source: 'handbook.md', section: 'refunds' },
    }),
    new Document({
      pageContent:
        'Escalation: tickets open for more than 48 hours go to the duty manager, who answers the customer personally and closes the loop.',
      metadata: { source: 'handbook.md', section: 'escalation' },
    }),
    new Document({
      pageContent:
        'Changelog 2025-03: the refund window moved from 14 days to 30 days after customer feedback; the card payout delay is unchanged.',
      metadata: { source: 'changelog.md' },
    }),
  ];
}

/** Root-model code (in a repl block) that reads the documents mentioning `word` through llm_query_batched and cites them. */
export function grepAndAskCode(word: string): string {
  return [
    '```repl',
    `keys = [k for k, v in context.items() if ${JSON.stringify(word)} in v.lower()]`,
    'notes = llm_query_batched([f"Extract the rule from this document: {context[k]}" for k in keys])',
    'answer = "; ".join(notes) + " (sources: " + ", ".join(keys) + ")"',
    'FINAL_VAR("answer")',
    '```',
  ].join('\n');
}
