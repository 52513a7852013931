import { ConfigurationError, type SandboxProviderV1 } from '@rlms/core';
import { importOptional, type ModuleImporter } from './import-optional.js';

/** Built-in sandbox names. */
export type SandboxName = 'pyodide' | 'local' | 'docker' | 'e2b' | 'modal' | 'daytona';

/** Where code runs: a built-in name or a `SandboxProviderV1` instance. */
export type SandboxSpec = SandboxName | SandboxProviderV1;

/** The package and factory behind each sandbox name. */
export const SANDBOXES: Readonly<Record<SandboxName, { readonly packageName: string; readonly factory: string; readonly summary: string }>> = {
  pyodide: { packageName: '@rlms/sandbox-pyodide', factory: 'createPyodideSandbox', summary: 'CPython in WebAssembly, in a worker thread (default; no install, no host access)' },
  local: { packageName: '@rlms/sandbox-local', factory: 'createLocalSandbox', summary: 'host python3 subprocess (fastest; NOT a security sandbox)' },
  docker: { packageName: '@rlms/sandbox-docker', factory: 'createDockerSandbox', summary: 'a Docker container per session, no network' },
  e2b: { packageName: '@rlms/sandbox-e2b', factory: 'createE2BSandbox', summary: 'E2B cloud sandboxes (E2B_API_KEY)' },
  modal: { packageName: '@rlms/sandbox-modal', factory: 'createModalSandbox', summary: 'Modal sandboxes (MODAL_TOKEN_ID / MODAL_TOKEN_SECRET)' },
  daytona: { packageName: '@rlms/sandbox-daytona', factory: 'createDaytonaSandbox', summary: 'Daytona sandboxes (DAYTONA_API_KEY)' },
};

/** What a sandbox spec resolves to before loading. */
export type SandboxPlan =
  | { readonly kind: 'instance'; readonly name: string; readonly sandbox: SandboxProviderV1 }
  | { readonly kind: 'package'; readonly name: SandboxName };

/** True for a `SandboxProviderV1` instance. */
export function isSandboxProvider(value: unknown): value is SandboxProviderV1 {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as SandboxProviderV1).specificationVersion === 'rlms-sandbox-v1' &&
    typeof (value as SandboxProviderV1).createSession === 'function'
  );
}

/** Resolves a sandbox spec without loading anything. Throws `ConfigurationError` (code `'unknown-sandbox'`) for an unknown name. */
export function planSandbox(spec: SandboxSpec | undefined): SandboxPlan {
  if (spec === undefined) return { kind: 'package', name: 'pyodide' };
  if (isSandboxProvider(spec)) return { kind: 'instance', name: spec.name, sandbox: spec };
  if (typeof spec === 'string' && Object.hasOwn(SANDBOXES, spec.toLowerCase())) return { kind: 'package', name: spec.toLowerCase() as SandboxName };
  const names = Object.keys(SANDBOXES).join(', ');
  throw new ConfigurationError(
    `Unknown sandbox ${typeof spec === 'string' ? `"${spec}"` : `of type ${typeof spec}`}: use one of ${names} (default pyodide), or pass a SandboxProviderV1 instance.`,
    { code: 'unknown-sandbox' },
  );
}

type SandboxFactory = (settings?: Record<string, unknown>) => SandboxProviderV1;

/**
 * Creates the sandbox provider a plan describes, importing its package on first use. Throws
 * `MissingPackageError` ("install @rlms/sandbox-…") when the package is not installed.
 */
export async function loadSandbox(
  plan: SandboxPlan,
  settings: Readonly<Record<string, unknown>> | undefined,
  importer?: ModuleImporter,
): Promise<SandboxProviderV1> {
  if (plan.kind === 'instance') return plan.sandbox;
  const info = SANDBOXES[plan.name];
  const factory = await importOptional<SandboxFactory>({
    specifier: info.packageName,
    exportName: info.factory,
    purpose: `The sandbox "${plan.name}"`,
    ...(importer === undefined ? {} : { importer }),
  });
  return factory(settings === undefined ? undefined : { ...settings });
}
