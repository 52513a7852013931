import type { SourceEvidence } from '@rlms/core';
import { describe, expect, it } from 'vitest';
import { RLMQueryEngine, type RLMResponseMetadata } from '../src/index.js';
import { scriptedRLM, useSandbox } from './helpers.js';

const sandbox = useSandbox();

/** Short lines, quotes of both kinds, non-ASCII and an emoji: escaped, no 63-character run of a document survives. */
const NOTES: Readonly<Record<string, string>> = {
  'billing.md': 'Billing\n- retries: 5\n- backoff: "exponential"\n- owner: Zoë\n- it\'s paged 🚨\n- since: v2.3',
  'search.md': 'Search\n- retries: none\n- cache: 10 min\n- owner: Jürgen\n- note: "fail fast"\n- index: nightly',
  'auth.md': 'Auth\n- tokens: 12 h\n- rotation: Mon\n- owner: Ana\n- keys: "HSM"\n- mfa: required',
};

const PICK = 'picked = {k: v for k, v in context.items() if "retries:" in v}';

/** An engine whose root model runs `code`, then answers without naming or quoting a document. */
function engineRunning(code: string, sourceEvidence?: SourceEvidence[]): RLMQueryEngine {
  return new RLMQueryEngine({
    documents: NOTES,
    rlm: scriptedRLM(sandbox(), [`\`\`\`repl\n${code}\n\`\`\``, '```repl\nFINAL("Two services retry.")\n```']),
    ...(sourceEvidence === undefined ? {} : { sourceEvidence }),
  });
}

describe('RLMQueryEngine sourceNodes when the model stringifies the context', () => {
  it.each([
    ['json.dumps', `import json\n${PICK}\nllm_query("Summarise: " + json.dumps(picked))`],
    ['str', `${PICK}\nllm_query("Summarise: " + str(picked))`],
    ['json.dumps with indent, batched', `import json\n${PICK}\nllm_query_batched([json.dumps(picked, indent=2, ensure_ascii=False)])`],
  ])('finds the documents sent with %s', async (_name, code) => {
    const response = await engineRunning(code).query({ query: 'Which services retry?' });
    expect(response.sourceNodes?.map((source) => source.node.id_)).toEqual(['billing.md', 'search.md']);
    expect((response.metadata['rlm'] as RLMResponseMetadata).sourceKeys).toEqual(['billing.md', 'search.md']);
  });

  it("finds documents printed with print(json.dumps(context)) under the 'output' evidence", async () => {
    const response = await engineRunning('import json\nprint(json.dumps(context))', ['output']).query({ query: 'Which services retry?' });
    expect(response.sourceNodes?.map((source) => source.node.id_)).toEqual(['billing.md', 'search.md', 'auth.md']);
  });
});
