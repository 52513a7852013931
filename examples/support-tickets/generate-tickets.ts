/**
 * Deterministic synthetic support tickets from two sources with different shapes: a help-desk CSV
 * export (email and web form; one row per ticket, a product area picked by the customer) and a chat
 * widget's JSONL log (one conversation per line, no product area, the problem spread over several
 * messages). Behind them are nine product issues with known frequencies, trends over six months
 * and root causes, plus "how do I…" questions. Same seed, same tickets.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom } from '@rlms/examples-shared/seeded-random';

/** The issue behind a ticket (ground truth). */
export interface IssueSpec {
  readonly key: string;
  readonly label: string;
  readonly feature: string;
  readonly trend: 'rising' | 'falling' | 'stable';
  /** Relative frequency per month, January to June. */
  readonly monthly: readonly number[];
  readonly subjects: readonly string[];
  readonly bodies: readonly string[];
  /** What customers report that points at the root cause (said in about 60 % of the tickets). */
  readonly clue: string;
  /** Guesses that point elsewhere (about 20 %). */
  readonly decoys: readonly string[];
}

const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06'];
const RISING = [0.5, 0.6, 1.0, 1.5, 1.9, 2.3];
const FALLING = [2.0, 1.9, 1.4, 0.8, 0.5, 0.4];
const STABLE = [1, 1, 1, 1, 1, 1];

/** The issues, most frequent first (on average over the six months). */
export const ISSUES: readonly IssueSpec[] = [
  {
    key: 'sso-login-loop', label: 'SSO login loop', feature: 'Login & SSO', trend: 'rising', monthly: RISING.map((x) => x * 1.6),
    subjects: ['Stuck in a login loop', 'SSO sign-in keeps redirecting', 'Cannot get past the SSO page', 'Login loop with single sign-on'],
    bodies: [
      'When I sign in with SSO I am redirected back to the login page again and again. Using {browser}.',
      'Our team uses single sign-on and since this week nobody can get in: the SSO page just loops. {browser} on {os}.',
      'After entering my SSO credentials I land on the login page again. Cleared cookies, same thing.',
    ],
    clue: 'It started right after the 4.2 update.',
    decoys: ['Maybe our VPN is involved?', 'Could it be an ad blocker?'],
  },
  {
    key: 'csv-export-timeout', label: 'CSV export times out', feature: 'Reports & export', trend: 'stable', monthly: STABLE.map((x) => x * 1.3),
    subjects: ['CSV export times out', 'Export never finishes', 'Report export fails with a timeout', 'Cannot export my report'],
    bodies: [
      'Exporting the {report} report to CSV spins for a while and then fails with "Gateway timeout".',
      'The export button for {report} shows a spinner and then an error. I need this file for a board meeting.',
      'Export to CSV fails every time for the {report} report; small reports work.',
    ],
    clue: 'It only happens with big reports, over about 50,000 rows.',
    decoys: ['Maybe my browser is too old?', 'Is it because I am on hotel Wi-Fi?'],
  },
  {
    key: 'double-charge', label: 'Charged twice', feature: 'Billing', trend: 'falling', monthly: FALLING.map((x) => x * 0.9),
    subjects: ['Charged twice this month', 'Double charge on my card', 'Two charges for one subscription', 'Duplicate invoice'],
    bodies: [
      'My card was charged twice for the {plan} plan this month ({amount} each). Please refund one.',
      'I see two identical charges of {amount} on my statement and a duplicate invoice in the billing page.',
      'We were billed twice for the same period. Finance is asking what happened.',
    ],
    clue: 'This happened right after I updated my credit card.',
    decoys: ['I might have clicked the pay button twice.', 'Maybe my bank retried the payment?'],
  },
  {
    key: 'late-push', label: 'Push notifications arrive late', feature: 'Mobile app', trend: 'rising', monthly: RISING.map((x) => x * 0.7),
    subjects: ['Notifications arrive hours late', 'Push notifications delayed', 'Late notifications on my phone', 'Not getting notifications on time'],
    bodies: [
      'Push notifications reach my {device} hours after the message was sent.',
      'Notifications from the app are delayed by 2-3 hours, so I miss urgent requests. Phone: {device}.',
      'I only get the notifications when I open the app. {device}.',
    ],
    clue: 'It only happens on Android when battery saver is on.',
    decoys: ['Could it be my Wi-Fi?', 'Maybe my phone storage is full?'],
  },
  {
    key: 'search-stale', label: 'Search misses new items', feature: 'Search', trend: 'stable', monthly: STABLE.map((x) => x * 0.8),
    subjects: ['Search does not find new items', 'Missing search results', 'Search results are outdated', 'Cannot find a document with search'],
    bodies: [
      'I created a document called "{doc}" this morning and search does not return it.',
      'Search results are missing things my team added today. Searching for "{doc}" gives nothing.',
      'The search box cannot find "{doc}", but I can open it from the folder.',
    ],
    clue: 'Items added in the last day never show up, older ones do.',
    decoys: ['Maybe search is case sensitive?', 'Is it because the title has an accent?'],
  },
  {
    key: 'invite-email', label: 'Invitation emails never arrive', feature: 'Team management', trend: 'falling', monthly: FALLING.map((x) => x * 0.6),
    subjects: ['Invitation email never arrives', 'Teammates do not get the invite', 'Invite not received', 'Cannot invite my colleague'],
    bodies: [
      'I invited {n} colleagues to the workspace and none of them received the invitation email.',
      'The invite shows as "pending" but my teammate never got the email, not even in spam.',
      'We are onboarding a new hire and the invitation never arrives.',
    ],
    clue: 'Colleagues on our corporate email never get it, Gmail addresses do.',
    decoys: ['Maybe I typed the address wrong?', 'Does the invite expire quickly?'],
  },
  {
    key: 'api-429', label: 'API returns 429 Too Many Requests', feature: 'API', trend: 'rising', monthly: RISING.map((x) => x * 0.55),
    subjects: ['API returns 429', 'Too Many Requests errors', 'Rate limited by the API', 'Getting HTTP 429 from the API'],
    bodies: [
      'Our integration gets HTTP 429 Too Many Requests from the API about {n} times an hour.',
      'Calls to the API fail with 429 although our volume has not changed.',
      'Our sync job is rate limited by the API and stops halfway.',
    ],
    clue: 'It started when you introduced the 60 requests per minute limit.',
    decoys: ['Maybe our server clock is off?', 'Could our proxy be retrying requests?'],
  },
  {
    key: 'password-reset', label: 'Password reset link expired', feature: 'Login & SSO', trend: 'stable', monthly: STABLE.map((x) => x * 0.45),
    subjects: ['Password reset link expired', 'Reset link does not work', 'Cannot reset my password', 'Password reset email link invalid'],
    bodies: [
      'I requested a password reset and the link says it has expired.',
      'The reset link in the email shows "invalid or expired token".',
      'Tried the password reset three times, the link never works.',
    ],
    clue: 'The link is already expired when I click it a few minutes later.',
    decoys: ['Maybe the email went through a link scanner?', 'Is my account locked?'],
  },
  {
    key: 'dark-mode', label: 'Unreadable text in dark mode', feature: 'User interface', trend: 'stable', monthly: STABLE.map((x) => x * 0.2),
    subjects: ['Dark mode text unreadable', 'Contrast problem in dark mode', 'Dark mode hides labels', 'Dark mode colors broken'],
    bodies: [
      'In dark mode the labels on the {page} page are dark grey on black.',
      'With dark mode on I cannot read the table headers on {page}.',
      'Dark mode makes the buttons on {page} almost invisible.',
    ],
    clue: 'Only in dark mode, light mode is fine.',
    decoys: ['Maybe it is my monitor?'],
  },
];

/** "How do I…" questions: not product issues. */
export const QUESTION_LABEL = 'How-to question';
const QUESTIONS = [
  'How do I change my profile picture?', 'How can I add a second admin?', 'How do I rename a workspace?',
  'How can I change the language of the interface?', 'How do I archive an old project?', 'How can I change my billing address?',
  'How do I set up two-factor authentication?', 'How can I move a document to another folder?',
];
const QUESTION_WEIGHT = [1.2, 1.2, 1.2, 1.2, 1.2, 1.2];

const AREAS = [...new Set(ISSUES.map((issue) => issue.feature)), 'Other'];
const BROWSERS = ['Chrome 124', 'Safari 17', 'Firefox 126', 'Edge 124'];
const SYSTEMS = ['macOS', 'Windows 11', 'Ubuntu'];
const DEVICES = ['Pixel 8', 'Galaxy S23', 'iPhone 15', 'OnePlus 12', 'Galaxy A54'];
const REPORTS = ['quarterly revenue', 'user activity', 'inventory', 'audit log', 'pipeline'];
const PAGES = ['Settings', 'Dashboard', 'Reports', 'Billing'];
const DOCS = ['Q3 roadmap', 'Onboarding checklist', 'Vendor contract', 'Launch plan'];
const PLANS = ['free', 'pro', 'business', 'enterprise'];
const GREETINGS = ['Hi,', 'Hello team,', 'Hey,', 'Good morning,', ''];
const SIGN_OFFS = ['Thanks.', 'Thanks in advance!', 'Regards,\nAlex', 'Please help.', ''];

/** One ticket with its ground truth. */
export interface Ticket {
  readonly id: string;
  readonly source: 'csv' | 'jsonl';
  readonly createdAt: string;
  /** Issue key, or `'question'`. */
  readonly issue: string;
}

/** The generated files' content and the ground truth. */
export interface TicketData {
  readonly csv: string;
  readonly jsonl: string;
  readonly tickets: readonly Ticket[];
}

/** Options of {@link generateTickets}. */
export interface GenerateTicketsOptions {
  /** Tickets in total, split evenly between the CSV and the JSONL. Default 10,000. */
  readonly count?: number;
  /** Seed of the pseudo-random generator. Default 11. */
  readonly seed?: number;
}

function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Generates the two files' content. Deterministic for a given `count` and `seed`. */
export function generateTickets(options: GenerateTicketsOptions = {}): TicketData {
  const count = options.count ?? 10_000;
  if (!Number.isInteger(count) || count < 100) throw new RangeError(`count must be an integer of at least 100, got ${count}.`);
  const random = createRandom(options.seed ?? 11);
  const { pick, between } = random;
  const fill = (template: string) =>
    template
      .replaceAll('{browser}', pick(BROWSERS))
      .replaceAll('{os}', pick(SYSTEMS))
      .replaceAll('{device}', pick(DEVICES))
      .replaceAll('{report}', pick(REPORTS))
      .replaceAll('{page}', pick(PAGES))
      .replaceAll('{doc}', pick(DOCS))
      .replaceAll('{plan}', pick(PLANS))
      .replaceAll('{amount}', `$${between(12, 480)}.00`)
      .replaceAll('{n}', String(between(2, 40)));

  const tickets: Ticket[] = [];
  const rows = [['ticket_id', 'created_at', 'channel', 'customer_tier', 'product_area', 'priority', 'subject', 'description'].join(',')];
  const chats: string[] = [];
  const half = Math.floor(count / 2);
  const cells = MONTHS.flatMap((_, month) => [
    ...ISSUES.map((issue, chosen) => ({ month, chosen, weight: issue.monthly[month]! })),
    { month, chosen: ISSUES.length, weight: QUESTION_WEIGHT[month]! },
  ]);
  const totalWeight = cells.reduce((sum, item) => sum + item.weight, 0);
  for (let index = 0; index < count; index++) {
    // Pick the (issue, month) pair by weight: a stable issue gets the same number of tickets every
    // month, a rising one more and more, so the monthly volume grows with the rising issues.
    let roll = random() * totalWeight;
    let cell = 0;
    while (roll >= cells[cell]!.weight) roll -= cells[cell++]!.weight;
    const { month, chosen } = cells[cell]!;
    const day = between(1, 28);
    const createdAt = `${MONTHS[month]}-${String(day).padStart(2, '0')}T${String(between(7, 21)).padStart(2, '0')}:${String(between(0, 59)).padStart(2, '0')}:00Z`;
    const issue = ISSUES[chosen];
    const subject = issue === undefined ? pick(QUESTIONS) : pick(issue.subjects);
    const problem = issue === undefined ? subject : fill(pick(issue.bodies));
    const roll2 = random();
    const hint = issue === undefined ? undefined : roll2 < 0.6 ? issue.clue : roll2 < 0.8 ? pick(issue.decoys) : undefined;
    const tier = pick(PLANS);
    if (index < half) {
      const id = `T-${10_001 + index}`;
      const area = issue === undefined ? pick(AREAS) : random() < 0.85 ? issue.feature : pick(AREAS);
      const description = [pick(GREETINGS), problem, hint ?? '', pick(SIGN_OFFS)].filter((part) => part !== '').join(random() < 0.3 ? '\n' : ' ');
      const priority = pick(['low', 'normal', 'normal', 'high', 'urgent']);
      rows.push([id, createdAt, pick(['email', 'web form']), tier, area, priority, subject, description].map(csvField).join(','));
      tickets.push({ id, source: 'csv', createdAt, issue: issue?.key ?? 'question' });
    } else {
      const id = `CH-${20_001 + index - half}`;
      const messages = [
        { from: 'customer', text: `${pick(GREETINGS)} ${problem}`.trim() },
        { from: 'agent', text: pick(['Thanks for reaching out! Could you tell me a bit more?', 'Sorry about that. When did it start?', 'Let me look into this for you.']) },
        { from: 'customer', text: hint ?? pick(['Not sure, it just happens.', 'No idea, sorry.', 'That is all I know.']) },
      ];
      chats.push(JSON.stringify({ ticket_id: id, opened_at: createdAt, channel: 'chat', plan: tier, messages }));
      tickets.push({ id, source: 'jsonl', createdAt, issue: issue?.key ?? 'question' });
    }
  }
  return { csv: `${rows.join('\r\n')}\r\n`, jsonl: `${chats.join('\n')}\n`, tickets };
}

/** File names the example writes and reads. */
export const CSV_FILE = 'tickets.csv';
export const JSONL_FILE = 'chats.jsonl';

/** Writes `tickets.csv` and `chats.jsonl` into `dir` (created if needed) and returns the ground truth. */
export async function writeTickets(dir: string, options: GenerateTicketsOptions = {}): Promise<TicketData> {
  const data = generateTickets(options);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, CSV_FILE), data.csv);
  await writeFile(join(dir, JSONL_FILE), data.jsonl);
  return data;
}

/** Month (`'2025-03'`) of an ISO timestamp. */
export function monthOf(timestamp: string): string {
  return timestamp.slice(0, 7);
}

/** Ground-truth counts per issue key (questions under `'question'`), most frequent first. */
export function issueCounts(tickets: readonly Ticket[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const ticket of tickets) counts.set(ticket.issue, (counts.get(ticket.issue) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
