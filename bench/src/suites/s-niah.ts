import { createRandom, type Random } from '../util/random.js';
import type { Suite, SuiteTask } from './suite-types.js';

const ADJECTIVES = ['quiet', 'amber', 'distant', 'rapid', 'hollow', 'bright', 'patient', 'narrow', 'golden', 'restless', 'careful', 'ancient'];
const NOUNS = ['river', 'lantern', 'harbor', 'orchard', 'engine', 'village', 'library', 'meadow', 'bridge', 'market', 'tower', 'garden'];
const VERBS = ['watched', 'followed', 'crossed', 'repaired', 'described', 'painted', 'measured', 'visited', 'explored', 'remembered'];
const KEY_WORDS = ['silver', 'falcon', 'cobalt', 'willow', 'ember', 'glacier', 'saffron', 'quartz', 'harbor', 'meadow', 'thistle', 'onyx', 'cedar', 'lotus'];

function sentence(random: Random): string {
  const pick = (items: readonly string[]) => random.pick(items);
  return `The ${pick(ADJECTIVES)} ${pick(NOUNS)} ${pick(VERBS)} the ${pick(ADJECTIVES)} ${pick(NOUNS)} near the ${pick(NOUNS)}.`;
}

/** Filler prose of about `chars` characters: sentences grouped in paragraphs. */
function filler(random: Random, chars: number): string[] {
  const parts: string[] = [];
  let length = 0;
  let inParagraph = 0;
  while (length < chars) {
    const text = sentence(random);
    inParagraph++;
    const separator = inParagraph % 8 === 0 ? '\n\n' : ' ';
    parts.push(text + separator);
    length += text.length + separator.length;
  }
  return parts;
}

/**
 * S-NIAH (RULER-style single needle in a haystack): one sentence "The special magic number for
 * <key> is: <7 digits>." hidden at a depth in filler prose; the answer is the number. Exact match.
 */
export const sNiahSuite: Suite = {
  id: 's-niah',
  title: 'S-NIAH (single needle)',
  description: 'Find the 7-digit "special magic number" for a key hidden once at a random depth in filler text.',
  metric: 'exact',
  defaultSizes: [8_000, 32_000, 128_000, 512_000, 1_000_000, 2_000_000],
  generate({ sizeTokens, count, seed }) {
    const tasks: SuiteTask[] = [];
    for (let index = 0; index < count; index++) {
      const random = createRandom(seed * 1_000_003 + sizeTokens * 31 + index);
      const key = `${random.pick(KEY_WORDS)}-${random.pick(KEY_WORDS)}-${random.int(10, 99)}`;
      const value = String(random.int(1_000_000, 9_999_999));
      const needle = `The special magic number for ${key} is: ${value}.`;
      const parts = filler(random, Math.max(0, sizeTokens * 4 - needle.length));
      const depth = count === 1 ? 0.5 : 0.1 + (0.8 * index) / (count - 1);
      parts.splice(Math.floor(parts.length * depth), 0, `${needle} `);
      const text = parts.join('');
      tasks.push({
        id: `s-niah-${sizeTokens}-${index}`,
        sizeTokens,
        kind: `depth-${Math.round(depth * 100)}%`,
        context: text,
        contextText: text,
        question: `What is the special magic number for ${key} mentioned in the provided text? Answer with the number only.`,
        expected: value,
      });
    }
    return tasks;
  },
  score(task, answer) {
    // RULER's string-match metric: the expected value appears in the answer.
    const correct = answer.includes(String(task.expected));
    return { score: correct ? 1 : 0, correct };
  },
  answerText: (task) => String(task.expected),
  oracleCode(task) {
    const key = /for (\S+) mentioned/.exec(task.question)?.[1] ?? '';
    return [
      'import re',
      `match = re.search(r"special magic number for ${key.replaceAll('-', '\\-')} is: (\\d+)", context)`,
      'FINAL(match.group(1) if match else "not found")',
    ].join('\n');
  },
};
