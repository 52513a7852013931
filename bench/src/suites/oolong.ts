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
import { firstInteger, normalizeAnswer } from './scoring.js';
import type { Suite, SuiteTask } from './suite-types.js';

/** Records for one task: label frequencies drawn per task, with a unique most frequent label. */
function makeRecords(seed: number, count: number): LabelledRecord[] {
  const random = createRandom(seed);
  const weights = LABELS.map(() => 1 + random.next() * 4);
  const top = random.int(0, LABELS.length - 1);
  weights[top] = Math.max(...weights) + 2; // one clear mode
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const users = Array.from({ length: Math.max(5, Math.round(count / 40)) }, () => random.int(10_000, 99_999));
  const records: LabelledRecord[] = [];
  for (let index = 0; index < count; index++) {
    let draw = random.next() * total;
    let label: Label = LABELS[0];
    for (const [position, weight] of weights.entries()) {
      draw -= weight;
      if (draw <= 0) {
        label = LABELS[position]!;
        break;
      }
    }
    records.push({ date: randomDate(random), user: random.pick(users), instance: instanceText(label, random), label });
  }
  return records;
}

function counts(records: readonly LabelledRecord[]): Map<Label, number> {
  const map = new Map<Label, number>(LABELS.map((label) => [label, 0]));
  for (const record of records) map.set(record.label, (map.get(record.label) ?? 0) + 1);
  return map;
}

const PREAMBLE = `The following lines are data points. Each has a date, a user id and an instance: a question. Each instance can be classified into exactly one of these labels: ${LABELS.join(', ')}. The labels are not given; infer them from the instances.\n`;

/**
 * OOLONG-style aggregation: thousands of records whose labels must be inferred from their text;
 * questions ask for the count of one label or the most frequent label. Exact scoring.
 */
export const oolongSuite: Suite = {
  id: 'oolong',
  title: 'OOLONG-style aggregation',
  description: 'Count records of a label, or name the most frequent label, over records whose labels must be inferred one by one.',
  metric: 'exact',
  defaultSizes: [8_000, 32_000, 128_000, 512_000],
  generate({ sizeTokens, count, seed }) {
    const tasks: SuiteTask[] = [];
    const recordCount = Math.max(20, Math.floor((sizeTokens * 4) / APPROX_LINE_CHARS));
    for (let index = 0; index < count; index++) {
      const taskSeed = seed * 7919 + sizeTokens + index * 104_729;
      const records = makeRecords(taskSeed, recordCount);
      const text = PREAMBLE + records.map(recordLine).join('\n');
      const tally = counts(records);
      const random = createRandom(taskSeed + 1);
      const base = { sizeTokens, context: text, contextText: text };
      if (index % 2 === 0) {
        const label = random.pick(LABELS);
        tasks.push({
          ...base,
          id: `oolong-${sizeTokens}-${index}`,
          kind: 'count',
          question: `How many data points should be classified as label '${label}'? Answer with a number only.`,
          expected: tally.get(label) ?? 0,
        });
      } else {
        const mode = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]![0];
        tasks.push({
          ...base,
          id: `oolong-${sizeTokens}-${index}`,
          kind: 'most-frequent',
          question: `Which label is the most common across all data points? Answer with the label only (one of: ${LABELS.join(', ')}).`,
          expected: mode,
        });
      }
    }
    return tasks;
  },
  score(task, answer) {
    if (typeof task.expected === 'number') {
      const correct = firstInteger(answer) === task.expected;
      return { score: correct ? 1 : 0, correct };
    }
    const normalized = normalizeAnswer(answer);
    const mentioned = LABELS.filter((label) => new RegExp(`\\b${label}\\b`).test(normalized));
    const correct = mentioned.length === 1 && mentioned[0] === task.expected;
    return { score: correct ? 1 : 0, correct };
  },
  answerText: (task) => String(task.expected),
  oracleCode(task) {
    const label = /label '(\w+)'/.exec(task.question)?.[1];
    const finish =
      task.kind === 'count'
        ? `FINAL(sum(1 for _, label in records if label == ${JSON.stringify(label)}))`
        : 'from collections import Counter\nFINAL(Counter(label for _, label in records).most_common(1)[0][0])';
    return `${oracleClassifyCode()}\n${finish}`;
  },
  oracleSubcall: answerClassifyPrompt,
};
