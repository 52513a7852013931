/**
 * The README snippets the packaging test runs, found by their marker comment
 * (`<!-- packaging-test: <name> -->` on the line before the ```ts fence), and the data each one
 * reads: files, or the free variables the snippet leaves to the reader (`documents`, `hugeText`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One marked snippet and what it needs to run. */
export interface SnippetCase {
  /** The marker name, e.g. `library`. */
  readonly name: string;
  /** The README holding it, relative to the repository root. */
  readonly readme: string;
  /**
   * Files written into the project before the run, relative to it. The snippet's documents; the
   * answer fact is in one of them.
   */
  readonly files: Readonly<Record<string, string>>;
  /**
   * Module code placed before the snippet: it declares the variables the snippet leaves to the
   * reader from the files above. Its imports and names start with `packaging` so they cannot
   * clash with the snippet's own.
   */
  readonly prelude: string;
  /** The fact hidden in the documents (see {@link ANSWER_PATTERN}). */
  readonly fact: string;
  /** What the snippet prints when it lists the document holding the fact among its sources. */
  readonly printedSource?: string;
}

/** How the scripted root model finds the fact: `packaging-answer: <fact>` in the context. */
export const ANSWER_PATTERN = 'packaging-answer: ([a-z-]+)';

/** The answer the scripted run computes in the sandbox from a fact: proves the code ran there. */
export function expectedAnswer(fact: string): string {
  return `ANSWER: ${fact.toUpperCase()}`;
}

const READS_CORPUS = (dir: string): string =>
  [
    "import { readdirSync as packagingReaddir, readFileSync as packagingReadFile } from 'node:fs';",
    `const packagingCorpus = Object.fromEntries(packagingReaddir('${dir}').sort().map((name) => [name, packagingReadFile('${dir}/' + name, 'utf8')]));`,
  ].join('\n');

/** The snippets the packaging test runs: the root README's library example and each adapter's. */
export const SNIPPET_CASES: readonly SnippetCase[] = [
  {
    name: 'library',
    readme: 'README.md',
    files: corpusFiles('src', 'auth/login.ts', 'login-handler', '.ts'),
    prelude: '',
    fact: 'login-handler',
  },
  {
    name: 'ai-sdk',
    readme: 'packages/ai-sdk/README.md',
    files: corpusFiles('incidents', 'incident-0042.md', 'queue-timeout', '.md'),
    prelude: `${READS_CORPUS('incidents')}\nconst hugeText = Object.values(packagingCorpus).join('\\n\\n');`,
    fact: 'queue-timeout',
  },
  {
    name: 'langchain',
    readme: 'packages/langchain/README.md',
    files: corpusFiles('policies', 'refunds.md', 'refund-window', '.md'),
    prelude: [
      "import { Document as PackagingDocument } from '@langchain/core/documents';",
      READS_CORPUS('policies'),
      'const documents = Object.entries(packagingCorpus).map(([source, pageContent]) => new PackagingDocument({ pageContent, metadata: { source } }));',
    ].join('\n'),
    fact: 'refund-window',
    printedSource: "[ 'refunds.md' ]",
  },
  {
    name: 'llamaindex',
    readme: 'packages/llamaindex/README.md',
    files: corpusFiles('notes', 'billing-service.md', 'retry-policy', '.md'),
    // `Document` is the snippet's own import (imports are hoisted).
    prelude: `${READS_CORPUS('notes')}\nconst documents = Object.entries(packagingCorpus).map(([file_name, text]) => new Document({ text, metadata: { file_name } }));`,
    fact: 'retry-policy',
    printedSource: "[ 'billing-service.md' ]",
  },
];

/**
 * The ```ts block right after `<!-- packaging-test: <name> -->` in `readmePath`. Throws when the
 * marker or its block is missing, naming both.
 */
export function extractSnippet(readmePath: string, name: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const marker = `<!-- packaging-test: ${name} -->`;
  const at = text.indexOf(marker);
  if (at === -1) throw new Error(`${readmePath} has no ${marker} line: put it right before the \`\`\`ts block the packaging test runs.`);
  const block = /^\s*```(?:ts|typescript)\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (block === null) throw new Error(`${readmePath}: ${marker} is not followed by a \`\`\`ts block.`);
  return block[1]!;
}

/** The module the test runs for `snippetCase`: its prelude, then the snippet as the README shows it. */
export function snippetModule(root: string, snippetCase: SnippetCase): string {
  const snippet = extractSnippet(join(root, snippetCase.readme), snippetCase.name);
  return `${snippetCase.prelude}\n${snippet}\n`;
}

/**
 * A corpus of about 400 KB (well past half of any model's known window, so `mode: 'auto'` runs an
 * RLM rather than one direct call) in `dir`: filler documents, and `factFile` holding the fact.
 */
function corpusFiles(dir: string, factFile: string, fact: string, extension: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let document = 0; document < 8; document++) {
    const lines: string[] = [];
    for (let line = 0; line < 900; line++) {
      const n = document * 900 + line;
      lines.push(`entry ${n}: service-${n % 37} handled request ${(n * 7919) % 100_003} in ${n % 997} ms (shard ${n % 13}, region r${n % 5})`);
    }
    files[`${dir}/part-${document}${extension}`] = `${lines.join('\n')}\n`;
  }
  files[`${dir}/${factFile}`] = `# notes\n\nThe one line that matters: packaging-answer: ${fact}\n`;
  return files;
}
