import { createRequire } from 'node:module';
import { ConfigurationError, type SandboxProviderV1 } from '@rlms/core';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { Settings } from '@llamaindex/core/global';
import { Settings as LlamaIndexSettings } from 'llamaindex';
import { describe, expect, it } from 'vitest';
import { RLMQueryEngine, type RLMResponseMetadata } from '../src/index.js';
import { defaultSandbox } from '../src/default-sandbox.js';
import { CORPUS, RETRY_SCRIPT, useSandbox } from './helpers.js';
import { ScriptedLLM } from './scripted-llm.js';

const sandbox = useSandbox();
const QUESTION = 'What retry policies do the services use?';

/** A root LLM that runs RETRY_SCRIPT and answers sub-calls from their prompts (one LLM for both, as `Settings.llm` is). */
function settingsLLM(): ScriptedLLM {
  let root = 0;
  return new ScriptedLLM({
    model: 'settings-llm',
    replies: ({ messages }) => {
      if (messages[0]?.role === 'system') return RETRY_SCRIPT[Math.min(root++, RETRY_SCRIPT.length - 1)]!;
      const prompt = String(messages.at(-1)?.content ?? '');
      return prompt.includes('exponential') ? 'billing: 5 attempts' : prompt.includes('none at all') ? 'search: none' : 'changelog: 3 to 5';
    },
  });
}

/** Whether @rlms/sandbox-pyodide can be imported from the adapter (an optional package it does not depend on). */
function pyodideInstalled(): boolean {
  try {
    createRequire(new URL('../src/default-sandbox.ts', import.meta.url)).resolve('@rlms/sandbox-pyodide');
    return true;
  } catch {
    return false;
  }
}

describe('RLMQueryEngine defaults from LlamaIndex', () => {
  it("uses Settings.llm (set through the 'llamaindex' package) when no model is given", async () => {
    const llm = settingsLLM();
    const tracked = sandbox();
    const engine = LlamaIndexSettings.withLLM(llm, () => RLMQueryEngine.fromDocuments(CORPUS, { settings: { sandbox: tracked } }));
    expect(engine.rlm.settings.model.modelId).toBe('settings-llm');
    const response = await engine.query({ query: QUESTION });
    expect(response.toString()).toBe('billing: 5 attempts | search: none | changelog: 3 to 5');
    expect((response.metadata['rlm'] as RLMResponseMetadata).sourceKeys).toEqual(['services/billing.md', 'services/search.md', 'changelog.md']);
    expect(llm.calls.length).toBe(5); // two root turns, three sub-calls: all through Settings.llm
    expect(tracked.live).toBe(0);
  });

  it('reads a global Settings.llm too', () => {
    const llm = settingsLLM();
    LlamaIndexSettings.llm = llm;
    try {
      expect(new RLMQueryEngine({ documents: CORPUS, settings: { sandbox: createLocalSandbox() } }).rlm.settings.model.modelId).toBe('settings-llm');
    } finally {
      Settings.llm = undefined as never; // back to unset for the other tests
    }
  });

  it('says how to set a model when neither a model nor Settings.llm is given', () => {
    let error: unknown;
    try {
      new RLMQueryEngine({ documents: CORPUS, settings: { sandbox: createLocalSandbox() } });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/no model given and LlamaIndex's `Settings.llm` is not set.*Settings.llm = new OpenAI.*fromLlamaIndex\(llm\)/);
  });

  it('defaults the sandbox to Pyodide when @rlms/sandbox-pyodide is installed, else says how to pass one', () => {
    const create = () => Settings.withLLM(settingsLLM(), () => new RLMQueryEngine({ documents: CORPUS }));
    if (pyodideInstalled()) {
      expect(create().rlm.settings.sandbox.name).toBe('pyodide');
    } else {
      expect(create).toThrow(ConfigurationError);
      expect(create).toThrow(/default sandbox package @rlms\/sandbox-pyodide is not installed.*npm install @rlms\/sandbox-pyodide.*sandbox: createLocalSandbox\(\)/);
    }
  });
});

describe('defaultSandbox', () => {
  it('loads @rlms/sandbox-pyodide at the first session and delegates to it', async () => {
    const local = createLocalSandbox();
    const loads: string[] = [];
    const provider = defaultSandbox('RLMQueryEngine', {
      resolve: () => '/resolved',
      load: async (specifier) => {
        loads.push(specifier);
        return { createPyodideSandbox: (): SandboxProviderV1 => local };
      },
    });
    expect(provider.name).toBe('pyodide');
    expect(provider.capabilities.isolation).toBe('wasm');
    expect(loads).toEqual([]); // no I/O until a session is needed
    const engine = Settings.withLLM(settingsLLM(), () => new RLMQueryEngine({ documents: CORPUS, settings: { sandbox: provider } }));
    try {
      const response = await engine.query({ query: QUESTION });
      expect(response.toString()).toContain('billing: 5 attempts');
      await engine.query({ query: QUESTION });
      expect(loads).toEqual(['@rlms/sandbox-pyodide']); // loaded once
    } finally {
      await provider.close?.();
    }
  });

  it('refuses at creation when the package is missing, and explains an incompatible one at the first session', async () => {
    const missing = Object.assign(new Error("Cannot find module '@rlms/sandbox-pyodide'"), { code: 'MODULE_NOT_FOUND' });
    expect(() =>
      defaultSandbox('RLMQueryEngine', {
        resolve: () => {
          throw missing;
        },
        load: async () => ({}),
      }),
    ).toThrow(/@rlms\/sandbox-pyodide is not installed\. Install it \(`npm install @rlms\/sandbox-pyodide`\), or pass one/);
    const old = defaultSandbox('RLMQueryEngine', { resolve: () => '/resolved', load: async () => ({ somethingElse: true }) });
    await expect(old.createSession({ host: { call: async () => null } })).rejects.toThrow(/has no createPyodideSandbox export: update it/);
  });
});
