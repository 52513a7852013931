import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom } from '../util/random.js';
import { firstInteger, normalizeAnswer } from './scoring.js';
import type { Suite, SuiteTask } from './suite-types.js';

/** The repository root (two levels above this package's src/ or dist/). */
export function defaultRepoRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

/** Source files of the tree: `packages/<name>/src/**\/*.ts` and `packages/core/runtime/*.py`, by repo-relative path. */
export function readSourceTree(repoRoot: string = defaultRepoRoot()): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|py)$/.test(entry) && !entry.endsWith('.d.ts')) files.set(relative(repoRoot, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  const packages = join(repoRoot, 'packages');
  for (const name of readdirSync(packages).sort()) {
    for (const sub of ['src', 'runtime']) {
      try {
        if (statSync(join(packages, name, sub)).isDirectory()) walk(join(packages, name, sub));
      } catch {
        // no such folder
      }
    }
  }
  return files;
}

const DEFINITION = /^export (?:async )?(?:function|class) ([A-Za-z_$][\w$]*)/gm;
const EXPORTED_FUNCTION = /^export (?:async )?function /gm;

function renderTree(files: ReadonlyMap<string, string>): string {
  return [...files].map(([path, text]) => `=== ${path} ===\n${text}`).join('\n\n');
}

let cachedTree: { root: string; files: Map<string, string> } | undefined;

function tree(root: string): Map<string, string> {
  if (cachedTree?.root !== root) cachedTree = { root, files: readSourceTree(root) };
  return cachedTree.files;
}

/** Identifiers worth asking about: used in several files. */
const MENTIONED = ['ConfigurationError', 'SandboxSessionDeadError', 'AbortSignal', 'HostBridge', 'estimateTokens', 'ModelProviderV1', 'createFrameSession', 'ContextPayload'];

/**
 * Builds the CodeQA suite over a source tree (default: this repository's `packages/`). Contexts are
 * `{ path: source }` records of a seeded subset of files filling the size; questions have answers
 * computed from that subset: where a function or class is defined, how many functions a file
 * exports, how many files mention an identifier. Exact scoring.
 */
export function createCodeQaSuite(repoRoot: string = defaultRepoRoot()): Suite {
  return {
    id: 'codeqa',
    title: 'CodeQA (this repository)',
    description: "Questions with checkable answers over the repository's own packages/ sources: definition sites, export counts, mention counts.",
    metric: 'exact',
    defaultSizes: [16_000, 64_000, 256_000],
    get maxSizeTokens() {
      return Math.floor([...tree(repoRoot).values()].reduce((sum, text) => sum + text.length, 0) / 4);
    },
    generate({ sizeTokens, count, seed }) {
      const all = tree(repoRoot);
      const tasks: SuiteTask[] = [];
      for (let index = 0; index < count; index++) {
        const random = createRandom(seed * 2_654_435 + sizeTokens + index * 97);
        const selected = new Map<string, string>();
        let chars = 0;
        for (const path of random.shuffle([...all.keys()].sort())) {
          const text = all.get(path)!;
          if (chars + text.length > sizeTokens * 4 && selected.size > 0) continue;
          selected.set(path, text);
          chars += text.length;
        }
        const sorted = new Map([...selected].sort((a, b) => a[0].localeCompare(b[0])));
        const base = { sizeTokens, context: Object.fromEntries(sorted), contextText: renderTree(sorted) };
        const kind = (['definition', 'export-count', 'mentions'] as const)[index % 3]!;
        if (kind === 'definition') {
          const definitions = new Map<string, string[]>();
          for (const [path, text] of sorted) for (const match of text.matchAll(DEFINITION)) definitions.set(match[1]!, [...(definitions.get(match[1]!) ?? []), path]);
          const unique = [...definitions].filter(([, paths]) => paths.length === 1).sort((a, b) => a[0].localeCompare(b[0]));
          if (unique.length > 0) {
            const [name, [path]] = random.pick(unique) as [string, string[]];
            tasks.push({ ...base, id: `codeqa-${sizeTokens}-${index}`, kind, question: `In which file is the function or class \`${name}\` defined (an \`export function\` or \`export class\` declaration)? Answer with the file path only.`, expected: path });
            continue;
          }
        }
        if (kind === 'export-count' || kind === 'definition') {
          const path = random.pick([...sorted.keys()]);
          const exported = (sorted.get(path)!.match(EXPORTED_FUNCTION) ?? []).length;
          tasks.push({ ...base, id: `codeqa-${sizeTokens}-${index}`, kind: 'export-count', question: `How many functions does the file \`${path}\` export with a top-level \`export function\` or \`export async function\` declaration? Answer with a number only.`, expected: exported });
          continue;
        }
        const identifier = random.pick(MENTIONED);
        const mentions = [...sorted.values()].filter((text) => text.includes(identifier)).length;
        tasks.push({ ...base, id: `codeqa-${sizeTokens}-${index}`, kind, question: `How many of the files in the context contain the text \`${identifier}\`? Answer with a number only.`, expected: mentions });
      }
      return tasks;
    },
    score(task, answer) {
      if (typeof task.expected === 'number') {
        const correct = firstInteger(answer) === task.expected;
        return { score: correct ? 1 : 0, correct };
      }
      const correct = normalizeAnswer(answer).replace(/^\.?\//, '') === String(task.expected).toLowerCase();
      return { score: correct ? 1 : 0, correct };
    },
    answerText: (task) => String(task.expected),
    oracleCode(task) {
      const quoted = /`([^`]+)`/.exec(task.question)?.[1] ?? '';
      switch (task.kind) {
        case 'definition':
          return [
            'import re',
            `pattern = re.compile(r"^export (?:async )?(?:function|class) " + re.escape(${JSON.stringify(quoted)}) + r"\\b", re.M)`,
            'FINAL(next(path for path, text in context.items() if pattern.search(text)))',
          ].join('\n');
        case 'export-count':
          return ['import re', `FINAL(len(re.findall(r"^export (?:async )?function ", context[${JSON.stringify(quoted)}], re.M)))`].join('\n');
        default:
          return `FINAL(sum(1 for text in context.values() if ${JSON.stringify(quoted)} in text))`;
      }
    },
  };
}
