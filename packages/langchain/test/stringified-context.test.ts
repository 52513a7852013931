import type { RLMSettings } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { Document } from '@langchain/core/documents';
import { afterAll, describe, expect, it } from 'vitest';
import { RLMChain } from '../src/index.js';

/** Short lines, quotes of both kinds, non-ASCII and an emoji: escaped, no 63-character run of a document survives. */
function notes(): Document[] {
  return [
    new Document({ pageContent: 'Billing\n- retries: 5\n- backoff: "exponential"\n- owner: Zoë\n- it\'s paged 🚨\n- since: v2.3', metadata: { source: 'billing.md' } }),
    new Document({ pageContent: 'Search\n- retries: none\n- cache: 10 min\n- owner: Jürgen\n- note: "fail fast"\n- index: nightly', metadata: { source: 'search.md' } }),
    new Document({ pageContent: 'Auth\n- tokens: 12 h\n- rotation: Mon\n- owner: Ana\n- keys: "HSM"\n- mfa: required', metadata: { source: 'auth.md' } }),
  ];
}

const sandbox = createLocalSandbox();
afterAll(async () => {
  await sandbox.close?.();
});

/** A chain whose root model runs `code` and then answers without naming or quoting any document. */
function chainRunning(code: string, extra: { sourceEvidence?: RLMSettings extends never ? never : ('subcalls' | 'answer' | 'output')[] } = {}): RLMChain {
  let root = 0;
  const model = new MockModel({
    replies: (call) => {
      if (call.system === undefined) return 'noted';
      return root++ === 0 ? `\`\`\`repl\n${code}\n\`\`\`` : '```repl\nFINAL("Two services retry.")\n```';
    },
  });
  return new RLMChain({ rlm: { model, sandbox, maxIterations: 4 }, documents: notes(), ...extra });
}

const RETRYING = 'picked = {k: v for k, v in context.items() if "retries:" in v and "Auth" not in v}';

describe('RLMChain sourceDocuments when the model stringifies the context', () => {
  it.each([
    ['json.dumps', `import json\n${RETRYING}\nllm_query("Summarise: " + json.dumps(picked))`],
    ['str', `${RETRYING}\nllm_query("Summarise: " + str(picked))`],
    ['str of a list of documents', `${RETRYING}\nllm_query_batched([str(list(picked.values()))])`],
  ])('finds the documents sent with %s', async (_name, code) => {
    const output = await chainRunning(code).invoke({ input: 'Which services retry?' });
    expect(output.status).toBe('completed');
    expect(output.sourceKeys).toEqual(['billing.md#0', 'search.md#1']);
    expect(output.sourceDocuments.map((document) => document.metadata.source)).toEqual(['billing.md', 'search.md']);
  });

  it("finds documents printed with print(json.dumps(context)) under the 'output' evidence", async () => {
    const output = await chainRunning('import json\nprint(json.dumps(context))', { sourceEvidence: ['output'] }).invoke({ input: 'Which services retry?' });
    expect(output.sourceKeys).toEqual(['billing.md#0', 'search.md#1', 'auth.md#2']);
  });
});
