/**
 * The in-process sandboxes the engine-level tests run on (local and Pyodide), with one provider
 * each per test file, closed after the file's tests.
 */
import { afterAll } from 'vitest';
import type { SandboxProviderV1 } from '@rlms/core';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';

export interface SandboxKind {
  readonly name: 'local' | 'pyodide';
  /** This file's provider of the kind (created on first use, closed after the file). */
  readonly sandbox: () => SandboxProviderV1;
}

/** Local and Pyodide, each created once per test file and closed in `afterAll`. */
export function inProcessSandboxes(): readonly SandboxKind[] {
  const opened = new Map<string, SandboxProviderV1>();
  afterAll(async () => {
    for (const sandbox of opened.values()) await sandbox.close?.();
  });
  const kind = (name: SandboxKind['name'], create: () => SandboxProviderV1): SandboxKind => ({
    name,
    sandbox: () => {
      let sandbox = opened.get(name);
      if (sandbox === undefined) opened.set(name, (sandbox = create()));
      return sandbox;
    },
  });
  return [kind('local', () => createLocalSandbox()), kind('pyodide', () => createPyodideSandbox())];
}
