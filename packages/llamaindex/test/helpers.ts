import { createRLM, type RLM, type RLMSettings } from '@rlms/core';
import { trackSandbox, type TrackingSandbox } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { afterAll } from 'vitest';
import { fromLlamaIndex } from '../src/index.js';
import { ScriptedLLM, type ScriptedStep } from './scripted-llm.js';

/** A small corpus of named documents: three mention a retry policy, three do not. */
export const CORPUS: Readonly<Record<string, string>> = {
  'services/billing.md':
    'Billing service. Owns invoices and payment capture. The retry policy is exponential backoff with 5 attempts, starting at 200 ms, for every call to the payment gateway.',
  'services/search.md':
    'Search service. Indexes the catalogue every night and serves queries from memory. The retry policy is none at all: a failed query returns an empty page immediately.',
  'services/auth.md':
    'Auth service. Issues session tokens valid for 12 hours and rotates signing keys every Monday at 04:00 UTC. Talks only to the user database.',
  'handbook/oncall.md':
    'On-call handbook. The primary on-call engineer acknowledges pages within 5 minutes and escalates to the secondary after 15 minutes without progress.',
  'handbook/style.md':
    'Style guide. Use sentence case for headings, spell out numbers under ten, and prefer active voice in every user-facing message and error.',
  'changelog.md':
    'Changelog. Version 2.3 changed the billing retry policy from 3 to 5 attempts after the March incident; version 2.4 added dark mode to the dashboard.',
};

/** Root-model code that sends only the documents mentioning a retry policy to sub-calls. */
export const RETRY_SCRIPT: readonly string[] = [
  '```repl\nhits = [name for name, text in context.items() if "retry policy" in text]\nprint(hits)\n```',
  '```repl\nanswers = llm_query_batched(["What is the retry policy here? " + context[name] for name in hits])\nFINAL(" | ".join(answers))\n```',
];

/** A sub-model that answers from the prompt it gets. */
export function subLLM(): ScriptedLLM {
  return new ScriptedLLM({
    model: 'scripted-sub',
    replies: ({ messages }) => {
      const prompt = String(messages.at(-1)?.content ?? '');
      if (prompt.includes('exponential')) return 'billing: exponential backoff, 5 attempts';
      if (prompt.includes('none at all')) return 'search: no retries';
      if (prompt.includes('3 to 5 attempts')) return 'changelog: raised from 3 to 5 in v2.3';
      return 'nothing relevant';
    },
  });
}

/** One local sandbox provider per test file, closed after it. */
export function useSandbox(): () => TrackingSandbox {
  const provider = createLocalSandbox();
  afterAll(async () => {
    await provider.close?.();
  });
  return () => trackSandbox(provider);
}

/** An RLM whose root model is a scripted LlamaIndex LLM and whose sub-model answers from the prompts. */
export function scriptedRLM(sandbox: TrackingSandbox, root: readonly ScriptedStep[], settings: Partial<RLMSettings> = {}): RLM {
  return createRLM({
    model: fromLlamaIndex(new ScriptedLLM({ replies: root, model: 'scripted-root' })),
    subModel: fromLlamaIndex(subLLM()),
    sandbox,
    ...settings,
  });
}
