import { createRandom } from '../util/random.js';
import {
  APPROX_LINE_CHARS,
  LABELS,
  answerClassifyPrompt,
  instanceText,
  oracleClassifyCode,
  randomDate,
  recordLine,
  type Label,
  type LabelledRecord,
} from './labelled-records.js';
import { f1, parsePairs } from './scoring.js';
import type { Suite, SuiteTask } from './suite-types.js';

/** The rare label that defines the qualifying users. */
const RARE: Label = 'abbreviation';
const COMMON = LABELS.filter((label) => label !== RARE);

const PREAMBLE = `The following lines are data points. Each has a date, a user id and an instance: a question. Each instance can be classified into exactly one of these labels: ${LABELS.join(', ')}. The labels are not given; infer them from the instances.\n`;

/**
 * OOLONG-Pairs-style: list every pair of users who both have at least one record of a rare label;
 * the answer is a set of pairs, scored by F1 against the true set.
 */
export const oolongPairsSuite: Suite = {
  id: 'oolong-pairs',
  title: 'OOLONG-Pairs-style',
  description: `List all pairs of user ids where both users have a record labelled '${RARE}' (inferred from text); F1 over pairs.`,
  metric: 'f1',
  defaultSizes: [8_000, 32_000, 128_000],
  generate({ sizeTokens, count, seed }) {
    const tasks: SuiteTask[] = [];
    const recordCount = Math.max(30, Math.floor((sizeTokens * 4) / APPROX_LINE_CHARS));
    for (let index = 0; index < count; index++) {
      const random = createRandom(seed * 6151 + sizeTokens + index * 15_485_863);
      const userCount = Math.max(8, Math.min(200, Math.round(recordCount / 25)));
      const userSet = new Set<number>();
      while (userSet.size < userCount) userSet.add(random.int(100, 999));
      const users = [...userSet];
      const qualifying = new Set(random.shuffle(users).slice(0, Math.min(users.length - 2, 4 + Math.round(Math.log2(sizeTokens / 8_000 + 1) * 2))));
      const records: LabelledRecord[] = [];
      for (const user of qualifying) {
        for (let k = random.int(1, 2); k > 0; k--) records.push({ date: randomDate(random), user, instance: instanceText(RARE, random), label: RARE });
      }
      while (records.length < recordCount) {
        const label = random.pick(COMMON);
        records.push({ date: randomDate(random), user: random.pick(users), instance: instanceText(label, random), label });
      }
      const shuffled = random.shuffle(records);
      const text = PREAMBLE + shuffled.map(recordLine).join('\n');
      const sorted = [...qualifying].sort((a, b) => a - b);
      const pairs: string[] = [];
      for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pairs.push(`${sorted[i]},${sorted[j]}`);
      tasks.push({
        id: `oolong-pairs-${sizeTokens}-${index}`,
        sizeTokens,
        kind: 'pairs',
        context: text,
        contextText: text,
        question: `List every pair of user ids (each pair once, smaller id first) where both users have at least one data point with the label '${RARE}'. Answer with one pair per line, formatted as (id1, id2).`,
        expected: pairs,
      });
    }
    return tasks;
  },
  score(task, answer) {
    const value = f1(parsePairs(answer), new Set(task.expected as string[]));
    return { score: value, correct: value === 1 };
  },
  answerText: (task) => (task.expected as string[]).map((pair) => `(${pair.replace(',', ', ')})`).join('\n'),
  oracleCode: () =>
    [
      oracleClassifyCode(),
      `users = sorted({user for user, label in records if label == ${JSON.stringify(RARE)}})`,
      'pairs = [f"({a}, {b})" for i, a in enumerate(users) for b in users[i + 1:]]',
      'FINAL("\\n".join(pairs))',
    ].join('\n'),
  oracleSubcall: answerClassifyPrompt,
};
