/**
 * A deterministic six-month chat history between a user and their assistant: thousands of
 * everyday messages (code questions, recipes, emails, workouts…) with a few personal facts buried
 * in them, some of which change over time (a diet, a partner's allergies, the dates of a trip),
 * and look-alike facts about other people. Same seed, same history.
 */
import { createRandom } from '@rlms/examples-shared/seeded-random';

/** One message of the history. */
export interface ChatMessage {
  readonly id: string;
  /** ISO 8601 timestamp. */
  readonly ts: string;
  readonly role: 'user' | 'assistant';
  readonly text: string;
}

/** A planted fact: what the user said, when, and the topic it belongs to. */
export interface PlantedFact {
  readonly topic: 'dog' | 'diet' | 'allergy' | 'trip' | 'anniversary' | 'budget' | 'other-person';
  readonly date: string;
  readonly text: string;
}

/** The facts the user states, in order. Later statements on a topic replace earlier ones. */
export const FACTS: readonly PlantedFact[] = [
  { topic: 'dog', date: '2025-01-05', text: 'We just adopted a dog! His name is Biscuit.' },
  { topic: 'diet', date: '2025-01-12', text: "Quick note for future reference: I'm vegetarian, so no meat or fish in recipe suggestions please." },
  { topic: 'allergy', date: '2025-02-02', text: 'Also, Alex is allergic to peanuts, so keep that in mind when we eat out.' },
  { topic: 'trip', date: '2025-02-20', text: "We're planning a Lisbon trip from 3 to 10 June." },
  { topic: 'anniversary', date: '2025-03-01', text: 'Our anniversary is on 14 September, I want to plan something nice this year.' },
  { topic: 'budget', date: '2025-03-20', text: "Let's keep restaurant dinners under €80 for two from now on." },
  { topic: 'other-person', date: '2025-03-25', text: 'My colleague Dana is vegan and keeps sending me recipes.' },
  { topic: 'diet', date: '2025-04-03', text: "Update on my diet: I've started eating fish again, so I'm pescatarian now." },
  { topic: 'trip', date: '2025-04-15', text: 'Work got in the way: we moved the Lisbon trip to 9 to 16 September.' },
  { topic: 'allergy', date: '2025-05-10', text: "Alex's allergy test came back: tree nuts too, not just peanuts." },
  { topic: 'other-person', date: '2025-05-20', text: 'Dana said Lisbon was lovely in May, she stayed from 2 to 6 May.' },
  { topic: 'trip', date: '2025-05-28', text: 'Final plan: Lisbon from 12 to 19 September, flights are booked!' },
  { topic: 'dog', date: '2025-06-10', text: 'Biscuit turns 4 on 2 August, remind me to get him a new toy.' },
];

const ACKNOWLEDGEMENTS = ['Noted, thanks for letting me know!', "Got it, I'll remember that.", 'Thanks, noted for later.', 'Understood!'];

const SMALL_TALK: readonly (readonly [string, string])[] = [
  ['Can you explain what a Python generator is?', 'A generator is a function that yields values one at a time, keeping its state between calls.'],
  ['How do I undo my last git commit but keep the changes?', 'Use git reset --soft HEAD~1: the commit is gone and the changes stay staged.'],
  ['Give me a recipe for lentil soup.', 'Sauté onion, carrot and celery, add red lentils, cumin and stock, simmer for 25 minutes, then blend half.'],
  ['What is a good warm-up before running?', 'Five minutes of brisk walking, then leg swings, lunges and a few short strides.'],
  ['Can you help me write a polite reminder email about an unpaid invoice?', 'Sure: "Hi, a quick reminder that invoice 1042 is now ten days overdue. Could you let me know when to expect payment?"'],
  ['What does HTTP status 409 mean?', '409 Conflict: the request conflicts with the current state of the resource, for example an edit on a stale version.'],
  ['Suggest a book for a long train ride.', 'Try a novel you can get lost in, such as a long historical saga or a thick mystery.'],
  ['Give me a recipe for mushroom risotto.', 'Toast arborio rice in butter, add stock ladle by ladle, stir in sautéed mushrooms and parmesan at the end.'],
  ['How do I center a div with CSS?', 'On the parent: display: flex; justify-content: center; align-items: center.'],
  ['What is the difference between a process and a thread?', 'Processes have separate memory; threads share the memory of their process.'],
  ['Can you summarise the meeting notes I pasted yesterday?', 'The team agreed to ship the beta next sprint and to move the retrospective to Thursday.'],
  ['How many minutes should I boil an egg for a soft yolk?', 'About six and a half minutes from boiling water, then straight into cold water.'],
  ['Help me plan a 30-minute strength workout.', 'Three rounds of squats, push-ups, rows, lunges and a plank, 40 seconds on and 20 seconds off.'],
  ['What is a good name for a budgeting spreadsheet tab?', 'Something plain like "Monthly plan" or "Spending" works best.'],
  ['Explain the difference between TCP and UDP.', 'TCP is reliable and ordered with a connection; UDP sends independent datagrams with no delivery guarantee.'],
  ['Give me a recipe for tomato pasta.', 'Simmer garlic, olive oil and crushed tomatoes for 15 minutes, toss with pasta and fresh basil.'],
  ['How do I write a SQL query that counts rows per day?', 'SELECT date(created_at) AS day, count(*) FROM events GROUP BY day ORDER BY day;'],
  ['Remind me what a p-value is.', 'The probability of seeing data at least this extreme if the null hypothesis were true.'],
  ['Can you rephrase this sentence to sound more confident?', '"I believe we could try" becomes "We will try".'],
  ['What should I pack for a rainy weekend hike?', 'A waterproof jacket, spare socks, a warm layer, snacks, water and a map.'],
];

/** Options of {@link generateHistory}. */
export interface GenerateHistoryOptions {
  /** About how many messages (user and assistant). Default 3,000. */
  readonly messages?: number;
  /** Seed of the pseudo-random generator. Default 13. */
  readonly seed?: number;
}

const START = Date.UTC(2025, 0, 2);
const END = Date.UTC(2025, 5, 30, 23, 59);

/** Generates the history, oldest first. Deterministic for given options. */
export function generateHistory(options: GenerateHistoryOptions = {}): ChatMessage[] {
  const total = options.messages ?? 3000;
  if (!Number.isInteger(total) || total < 100) throw new RangeError(`messages must be an integer of at least 100, got ${total}.`);
  const random = createRandom(options.seed ?? 13);
  const exchanges: { at: number; user: string; assistant: string }[] = [];
  for (const fact of FACTS) {
    const at = Date.parse(`${fact.date}T00:00:00Z`) + Math.floor(random() * 14 * 3_600_000) + 7 * 3_600_000;
    exchanges.push({ at, user: fact.text, assistant: ACKNOWLEDGEMENTS[Math.floor(random() * ACKNOWLEDGEMENTS.length)]! });
  }
  while (exchanges.length * 2 < total) {
    const [user, assistant] = SMALL_TALK[Math.floor(random() * SMALL_TALK.length)]!;
    exchanges.push({ at: START + Math.floor(random() * (END - START)), user, assistant });
  }
  exchanges.sort((a, b) => a.at - b.at);
  const messages: ChatMessage[] = [];
  for (const exchange of exchanges) {
    const reply = exchange.at + (20 + Math.floor(random() * 40)) * 1000;
    for (const [role, text, at] of [['user', exchange.user, exchange.at], ['assistant', exchange.assistant, reply]] as const) {
      messages.push({ id: `m${String(messages.length + 1).padStart(5, '0')}`, ts: new Date(at).toISOString().replace('.000Z', 'Z'), role, text });
    }
  }
  return messages;
}
