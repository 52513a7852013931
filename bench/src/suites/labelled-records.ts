import type { Random } from '../util/random.js';

/** The record labels (TREC coarse classes, as in OOLONG's trec_coarse split). */
export const LABELS = ['abbreviation', 'description', 'entity', 'human', 'location', 'numeric'] as const;
export type Label = (typeof LABELS)[number];

const ACRONYMS = ['NASA', 'UNESCO', 'HTML', 'LASER', 'SCUBA', 'RADAR', 'NATO', 'FIFA', 'CPU', 'DNA', 'GPS', 'PDF'];
const THINGS = ['volcanoes', 'tides', 'rainbows', 'magnets', 'glaciers', 'vaccines', 'batteries', 'earthquakes', 'clouds', 'bridges'];
const OBJECTS = ['instrument', 'flower', 'gemstone', 'dance', 'fabric', 'spice', 'mineral', 'sport', 'dish', 'language'];
const FEATS = ['invented the telephone', 'painted the ceiling', 'wrote the anthem', 'discovered penicillin', 'founded the company', 'designed the tower', 'won the first marathon', 'composed the symphony'];
const PLACES = ['the Eiffel Tower', 'Mount Kilimanjaro', 'the Great Barrier Reef', 'the Sahara', 'Machu Picchu', 'the Danube', 'Lake Baikal', 'the Atacama'];
const COUNTED = ['bones in a human hand', 'keys on a piano', 'moons of Jupiter', 'players on a rugby team', 'days in a leap year', 'strings on a cello'];

/** A question-like instance text whose label a reader can infer (and the oracle classifies by template). */
export function instanceText(label: Label, random: Random): string {
  switch (label) {
    case 'abbreviation':
      return `What does the abbreviation ${random.pick(ACRONYMS)} stand for?`;
    case 'description':
      return `Why do ${random.pick(THINGS)} form the way they do?`;
    case 'entity':
      return `Which ${random.pick(OBJECTS)} is traditionally associated with ${random.pick(PLACES)}?`;
    case 'human':
      return `Who ${random.pick(FEATS)}?`;
    case 'location':
      return `Where is ${random.pick(PLACES)} located?`;
    case 'numeric':
      return `How many ${random.pick(COUNTED)} are there?`;
  }
}

/** The label of an instance made by {@link instanceText} (the oracle sub-model's rule). */
export function classifyInstance(text: string): Label | 'unknown' {
  if (text.startsWith('What does the abbreviation')) return 'abbreviation';
  if (text.startsWith('Why do')) return 'description';
  if (text.startsWith('Which ')) return 'entity';
  if (text.startsWith('Who ')) return 'human';
  if (text.startsWith('Where is')) return 'location';
  if (text.startsWith('How many')) return 'numeric';
  return 'unknown';
}

/** One labelled record; the label itself is not written in the context. */
export interface LabelledRecord {
  readonly date: string;
  readonly user: number;
  readonly instance: string;
  readonly label: Label;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One context line: `Date: Mar 04, 2023 || User: 48213 || Instance: Who wrote …?` */
export function recordLine(record: LabelledRecord): string {
  return `Date: ${record.date} || User: ${record.user} || Instance: ${record.instance}`;
}

/** A random date like `Mar 04, 2023`. */
export function randomDate(random: Random): string {
  return `${random.pick(MONTHS)} ${String(random.int(1, 28)).padStart(2, '0')}, ${random.int(2021, 2024)}`;
}

/** Average characters per record line, used to size contexts. */
export const APPROX_LINE_CHARS = 95;

/** The header of the oracle's classification sub-prompts. */
export const CLASSIFY_HEADER = `Classify each question below into exactly one of: ${LABELS.join(', ')}. Reply with one label per line, in the same order, nothing else.`;

/** The oracle sub-model: labels for a classification sub-prompt, or `undefined` when the prompt is not one. */
export function answerClassifyPrompt(prompt: string): string | undefined {
  if (!prompt.startsWith(CLASSIFY_HEADER)) return undefined;
  return prompt
    .slice(CLASSIFY_HEADER.length)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => classifyInstance(line.trim()))
    .join('\n');
}

/** Python (for the oracle) that classifies every record with `llm_query_batched` into `records`: list of (user, label). */
export function oracleClassifyCode(): string {
  return [
    `HEADER = ${JSON.stringify(CLASSIFY_HEADER)}`,
    'rows = []',
    'for line in context.split("\\n"):',
    '    if " || Instance: " in line:',
    '        head, instance = line.split(" || Instance: ", 1)',
    '        rows.append((int(head.split("User: ")[1]), instance))',
    'batches = [rows[i:i + 200] for i in range(0, len(rows), 200)]',
    'outputs = llm_query_batched([HEADER + "\\n" + "\\n".join(text for _, text in batch) for batch in batches])',
    'records = []',
    'for batch, output in zip(batches, outputs):',
    '    labels = [label.strip() for label in output.strip().split("\\n")]',
    '    records.extend((user, label) for (user, _), label in zip(batch, labels))',
  ].join('\n');
}
