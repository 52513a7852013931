import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsFiles } from './source-files.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

/** Module specifiers of every static import, re-export and dynamic import in `source`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

const sandboxPackages = readdirSync(join(root, 'packages')).filter((name) => name.startsWith('sandbox-'));
/** Backend and provider packages: they see core only through its `./spec` and `./sandbox` doors. */
const backendPackages = [...sandboxPackages, 'openai'];

describe('doors of @rlms/core', () => {
  it('finds the backend packages', () => {
    expect(sandboxPackages.length).toBeGreaterThanOrEqual(6);
  });

  it.each(backendPackages)('packages/%s/src imports core only through ./spec and ./sandbox', (name) => {
    const src = join(root, 'packages', name, 'src');
    // The package's own `./testing` entry (fakes for its tests) may use `@rlms/core/testing`.
    const files = tsFiles(src).filter((file) => !relative(src, file).startsWith('testing'));
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => spec === '@rlms/core' || spec === '@rlms/core/testing' || spec === '@rlms/core/conformance')
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders, 'import from @rlms/core/spec (contract types, errors) or @rlms/core/sandbox (backend kit)').toEqual([]);
  });

  it.each(backendPackages)('packages/%s/src/testing (published fakes) never needs vitest', (name) => {
    // A package's `./testing` entry is published: it must load without vitest, so it may not reach
    // the vitest-bound `@rlms/core/conformance` suites.
    const offenders = tsFiles(join(root, 'packages', name, 'src', 'testing')).flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => spec === 'vitest' || spec.startsWith('vitest/') || spec === '@rlms/core/conformance')
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps vitest out of core/src/testing and vendor knowledge out of core', () => {
    const src = join(root, 'packages', 'core', 'src');
    const testing = tsFiles(join(src, 'testing'));
    expect(testing.length).toBeGreaterThan(0);
    const offenders = testing.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => spec === 'vitest' || spec.startsWith('vitest/') || spec.includes('conformance'))
        .map((spec) => `${relative(root, file)} imports ${spec} (vitest-bound code belongs in src/conformance)`),
    );
    expect(offenders).toEqual([]);
    // The OpenAI-compatible test server lives in @rlms/openai/testing, not in core.
    const vendor = tsFiles(src).filter((file) => /openai/i.test(relative(src, file)));
    expect(vendor.map((file) => relative(root, file))).toEqual([]);
  });

  it('keeps the sandbox kit (protocol, transports, runtime source) out of the root entry', async () => {
    const dist = join(root, 'packages', 'core', 'dist');
    const rootEntry = (await import(join(dist, 'index.js'))) as Record<string, unknown>;
    const kit = (await import(join(dist, 'sandbox.js'))) as Record<string, unknown>;
    // Helpers both audiences use (adapters and backends alike) may stand in both doors.
    const shared = new Set(['redactSecrets', 'REDACTED', 'generateWithRetries', 'computeCostUsd', 'truncateMiddle', 'abortErrorFor', 'raceAbort', 'throwIfAborted']);
    const leaked = Object.keys(kit).filter((name) => name in rootEntry && !shared.has(name));
    expect(leaked).toEqual([]);
    expect(Object.keys(rootEntry)).toContain('createRLM');
    expect(Object.keys(kit)).toContain('createFrameSession');
  });

  it.each(['server', 'viewer'])('packages/%s/src neither imports rlms nor parses argv', (name) => {
    const files = tsFiles(join(root, 'packages', name, 'src'));
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      const problems: string[] = [];
      if (specifiers(source).some((spec) => spec === 'rlms' || spec.startsWith('rlms/'))) problems.push('imports rlms');
      if (/\bparseArgs\b/.test(source)) problems.push('uses parseArgs (commands live in the CLI)');
      return problems.map((problem) => `${relative(root, file)} ${problem}`);
    });
    expect(offenders).toEqual([]);
  });
});

/** Relative-import graph of `packages/core/src`, keyed by path relative to that folder. */
function coreGraph(): Map<string, string[]> {
  const src = join(root, 'packages', 'core', 'src');
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(src)) {
    const edges = specifiers(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
      .map((target) => (existsSync(target) ? target : join(target.replace(/\.ts$/, ''), 'index.ts')))
      .filter((target) => existsSync(target))
      .map((target) => relative(src, target));
    graph.set(relative(src, file), [...new Set(edges)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan), each sorted, as `a <-> b <-> ...`. */
function cycles(graph: Map<string, string[]>): string[] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort().join(' <-> '));
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found.sort();
}

/**
 * Import circles in core known today. This list may only shrink: break a circle by moving the
 * shared types into their own file, then delete its line here.
 */
/** Import circles tolerated for now; the list may only shrink (it is empty: core has none). */
const KNOWN_CYCLES: string[] = [];

describe('@rlms/core module graph', () => {
  it('walks the core sources', () => {
    expect(coreGraph().size).toBeGreaterThan(20);
  });

  it('has no import circle beyond the known ones (which may only shrink)', () => {
    const found = cycles(coreGraph());
    const fresh = found.filter((cycle) => !KNOWN_CYCLES.includes(cycle));
    expect(fresh, 'new import circle in packages/core/src').toEqual([]);
    // A known circle that is gone must leave the list.
    expect(KNOWN_CYCLES.filter((cycle) => !found.includes(cycle)), 'remove fixed circles from KNOWN_CYCLES').toEqual([]);
  });
});
