/**
 * Issue 21: every package packed, the tarballs installed into a fresh npm project outside the
 * workspace (with the frameworks' real packages from the npm registry), and the README's library
 * snippet and each adapter README's snippet run there against the local OpenAI-compatible test
 * server: each must exit 0 on its own within a minute and print the right answer. Each tarball's
 * build output is checked too (point 12): every source map points into its tarball, no leftovers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type ServerReplyRequest } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, installFreshProject } from '../src/fresh-project.ts';
import { packAll, publishedPackages, type PackedPackage } from '../src/pack.ts';
import { buildOutputProblems, unpackTarball } from '../src/tarball-contents.ts';
import { describeRun, runGuarded, runSnippet } from '../src/run-snippet.ts';
import { ANSWER_PATTERN, SNIPPET_CASES, expectedAnswer, snippetModule } from '../src/snippets.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The bound: each snippet exits on its own within a minute. */
const EXIT_GUARD_MS = 60_000;
/** Packing every package and one `npm install` from the registry, on a busy CI machine. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const DIRECT_REPLY = 'not the answer: no RLM ran (a direct call or a sub-call answered)';

/**
 * The scripted models: a root RLM call answers with code that finds the fact in `context` and
 * computes the answer in the sandbox; any other call (a direct answer, a sub-call) gets a reply
 * that is not the answer, so a snippet passes only if an RLM ran its code.
 */
function reply(request: ServerReplyRequest): string {
  if (request.systemPrompt?.includes('REPL') !== true) return DIRECT_REPLY;
  return [
    '```repl',
    'import re',
    `found = re.search(r"${ANSWER_PATTERN}", str(context))`,
    'source = ""',
    'if isinstance(context, dict):',
    '    source = next((name for name, text in context.items() if isinstance(text, str) and found.group(0) in text), "")',
    'FINAL("ANSWER: " + found.group(1).upper() + (" (from " + source + ")" if source else ""))',
    '```',
  ].join('\n');
}

describe('packaging: packed tarballs in a fresh npm project run the README snippets', () => {
  let workDir = '';
  let project = '';
  let packed: PackedPackage[] = [];
  let server: OpenAICompatibleServer | undefined;

  beforeAll(async () => {
    // os.tmpdir(): outside the workspace, so no pnpm-workspace.yaml, .npmrc or node_modules above.
    workDir = mkdtempSync(join(tmpdir(), 'rlms-packaging-'));
    const tarballs = join(workDir, 'tarballs');
    project = join(workDir, 'project');
    mkdirSync(tarballs);
    mkdirSync(project);
    packed = await packAll(publishedPackages(root), tarballs);
    await installFreshProject(project, packed);
    server = await startOpenAICompatibleServer({ replies: reply });
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it('packs every published package', () => {
    expect(packed.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(['rlms', '@rlms/core', '@rlms/openai', '@rlms/ai-sdk', '@rlms/langchain', '@rlms/llamaindex']));
    expect(packed.length).toBe(publishedPackages(root).length);
  });

  it('ships no stale build output: every source map points into its tarball, every dist file has its shipped source', async () => {
    const problems: Record<string, string[]> = {};
    for (const [index, pkg] of packed.entries()) {
      const tarball = await unpackTarball(pkg.tarball, join(workDir, 'unpacked', String(index)));
      expect(tarball.files, pkg.name).toContain('package.json');
      expect(tarball.files.some((file) => file.endsWith('.map')), `${pkg.name} ships source maps`).toBe(true);
      const found = buildOutputProblems(tarball);
      if (found.length > 0) problems[pkg.name] = found;
    }
    // A leftover comes from a dist/ an older build left behind: `pnpm turbo run build --force` rebuilds from an empty dist/.
    expect(problems).toEqual({});
  });

  it('the installed `rlms` CLI does not offer bench, and `rlms bench` says where the benchmarks are', async () => {
    const bin = join(project, 'node_modules', '.bin', 'rlms');
    const help = await runGuarded(bin, ['--help'], project, cleanEnv(), EXIT_GUARD_MS);
    expect(help.code, describeRun('rlms --help', help)).toBe(0);
    expect(help.stdout).toContain('rlms ask');
    expect(help.stdout).not.toMatch(/\bbench\b/);
    const bench = await runGuarded(bin, ['bench'], project, cleanEnv(), EXIT_GUARD_MS);
    expect(bench.code, describeRun('rlms bench', bench)).toBe(1);
    expect(bench.stderr).toContain('the benchmarks live in the rlms source repository');
    expect(bench.stderr).toContain('./rlms bench');
  });

  for (const snippetCase of SNIPPET_CASES) {
    it(`${snippetCase.readme} (${snippetCase.name}) exits 0 on its own with the right answer`, async () => {
      for (const [path, text] of Object.entries(snippetCase.files)) {
        mkdirSync(dirname(join(project, path)), { recursive: true });
        writeFileSync(join(project, path), text);
      }
      const file = join(project, `snippet-${snippetCase.name}.mts`);
      writeFileSync(file, snippetModule(root, snippetCase));
      server!.reset();
      const env = cleanEnv({ OPENAI_BASE_URL: server!.baseURL, OPENAI_API_KEY: 'sk-packaging-test' });
      const run = await runSnippet(file, project, env, EXIT_GUARD_MS);
      expect(run.code, describeRun(snippetCase.name, run)).toBe(0);
      expect(run.stdout, describeRun(snippetCase.name, run)).toContain(expectedAnswer(snippetCase.fact));
      // The adapters report the document the answer came from as a source (printed as a quoted name).
      if (snippetCase.printedSource !== undefined) expect(run.stdout, describeRun(snippetCase.name, run)).toContain(snippetCase.printedSource);
      // An RLM ran (a root call with the REPL prompt), through the snippet's model and no real API.
      expect(server!.modelRequests.some((request) => request.messages?.some((message) => message.content.includes('REPL')))).toBe(true);
      server!.assertNoFailures();
    }, EXIT_GUARD_MS + 30_000);
  }
});
