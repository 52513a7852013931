/**
 * Deterministic synthetic commercial contracts: numbered sections and clauses, hard-wrapped like a
 * text export of a PDF, between two named companies (a unique pair per contract). About two thirds
 * of them carry data-privacy clauses, some compliant with the GDPR and some not (ground truth
 * below); others only have look-alikes ("payment processor", "material breach"). Same seed, same
 * contracts.
 */
import { createRandom } from '@rlms/examples-shared/seeded-random';

/** A data-privacy clause as placed in a contract (ground truth). */
export interface PrivacyClause {
  readonly contract: string;
  /** Clause number, e.g. `'9.2'`. */
  readonly clause: string;
  /** The clause text on one line (the contract wraps it over several). */
  readonly text: string;
  readonly compliant: boolean;
  /** Which template it came from: `'instructions'`, `'breach-30-days'`… */
  readonly kind: string;
}

/** The generated contracts and the ground truth. */
export interface ContractCorpus {
  /** `{ contract_000: "MASTER SERVICES AGREEMENT\n…", … }` */
  readonly contracts: Readonly<Record<string, string>>;
  readonly privacyClauses: readonly PrivacyClause[];
  /** Clauses that mention processors or breaches without being about personal data. */
  readonly lookAlikes: readonly { readonly contract: string; readonly clause: string }[];
}

/** Options of {@link generateContracts}. */
export interface GenerateContractsOptions {
  /** Number of contracts, 10 to 400. Default 100. */
  readonly count?: number;
  /** Seed of the pseudo-random generator. Default 5. */
  readonly seed?: number;
}

interface ClauseTemplate {
  readonly kind: string;
  readonly compliant: boolean;
  /** `{P}` is the provider's short name, `{C}` the customer's: every template names both, so no two contracts share a clause. */
  readonly text: string;
}

const PRIVACY: readonly ClauseTemplate[] = [
  { kind: 'instructions', compliant: true, text: '{P} shall process Personal Data only on documented instructions from {C}, including with regard to transfers of Personal Data to a third country, unless required to do so by Union or Member State law.' },
  { kind: 'breach-72-hours', compliant: true, text: '{P} shall notify {C} without undue delay, and in any event within 72 hours, after becoming aware of a Personal Data Breach.' },
  { kind: 'deletion', compliant: true, text: 'At the end of the provision of the Services, {P} shall delete or return all Personal Data to {C} and delete existing copies unless storage is required by law.' },
  { kind: 'security', compliant: true, text: '{P} shall implement appropriate technical and organisational measures to protect the Personal Data of {C}, including encryption in transit and at rest.' },
  { kind: 'sub-processors', compliant: true, text: '{P} shall not engage another processor of Personal Data without the prior written authorisation of {C}.' },
  { kind: 'transfers-scc', compliant: true, text: 'Transfers by {P} of Personal Data received from {C} outside the European Economic Area shall be made only under the Standard Contractual Clauses adopted by the European Commission.' },
  { kind: 'data-subject-rights', compliant: true, text: '{P} shall assist {C} in responding to requests from Data Subjects exercising their rights under the GDPR.' },
  { kind: 'sharing-discretion', compliant: false, text: '{P} may share Personal Data received from {C} with its affiliates and selected third parties at its sole discretion.' },
  { kind: 'breach-30-days', compliant: false, text: '{P} will inform {C} of any security incident affecting Personal Data within thirty (30) days.' },
  { kind: 'retention-indefinite', compliant: false, text: '{P} may retain Personal Data received from {C} indefinitely for analytics and product improvement purposes.' },
  { kind: 'transfers-anywhere', compliant: false, text: 'Personal Data received from {C} may be transferred to and processed in any country where {P} or its subcontractors operate.' },
  { kind: 'marketing-use', compliant: false, text: '{P} may use Personal Data collected from {C} under this Agreement for its own marketing purposes.' },
  { kind: 'consent-on-behalf', compliant: false, text: '{C} consents on behalf of all its end users to any processing of their personal information by {P}.' },
];

/** The opening clause of every data protection section. */
const COMPLY_WITH_LAW: ClauseTemplate = {
  kind: 'comply-with-law',
  compliant: true,
  text: 'Each of {P} and {C} shall comply with applicable data protection law, including the GDPR, in connection with the processing of Personal Data under this Agreement.',
};

/** Clauses that a keyword search for privacy terms also finds, but that are not about personal data. */
const LOOK_ALIKES = [
  'All fees shall be paid through the payment processor designated by {P} within thirty (30) days of the invoice date.',
  'Either party may terminate this Agreement by written notice if the other party commits a material breach that remains uncured for thirty (30) days.',
];

const SECTIONS: Readonly<Record<string, readonly string[]>> = {
  'SERVICES': [
    '{P} shall provide the Services described in each Order Form with reasonable skill and care and in accordance with good industry practice.',
    '{C} shall provide {P} with timely access to the information, systems and personnel reasonably required for the Services.',
    'Any change to the scope of the Services shall be agreed in writing through a change request signed by both parties.',
    '{P} may subcontract the performance of non-material parts of the Services, remaining responsible for its subcontractors.',
  ],
  'FEES AND PAYMENT': [
    '{C} shall pay the fees set out in the Order Form. Fees are exclusive of value added tax, which shall be paid at the applicable rate.',
    'Invoices are issued monthly in arrears and are payable within thirty (30) days of the invoice date.',
    'Late payments bear interest at four percent per year above the base rate of the central bank from the due date until payment.',
    '{P} may increase the fees once per contract year by giving at least sixty (60) days written notice.',
  ],
  'TERM AND TERMINATION': [
    'This Agreement starts on the Effective Date and continues for an initial term of {years} years, renewing automatically for successive one-year terms.',
    'Either party may terminate this Agreement for convenience by giving at least ninety (90) days written notice before the end of the current term.',
    'Termination does not affect any rights or remedies that accrued before the date of termination.',
  ],
  'CONFIDENTIALITY': [
    'Each party shall keep the Confidential Information of the other party secret and use it only to perform its obligations under this Agreement.',
    'The obligations in this section do not apply to information that is or becomes public other than through a breach of this section.',
    'The obligations of confidentiality survive termination of this Agreement for a period of five (5) years.',
  ],
  'INTELLECTUAL PROPERTY': [
    'All intellectual property rights in the Services and the software used to provide them remain with {P} or its licensors.',
    '{P} grants {C} a non-exclusive, non-transferable licence to use the deliverables for its internal business purposes.',
    '{C} retains all rights in the materials it provides, and grants {P} a licence to use them solely to provide the Services.',
  ],
  'WARRANTIES': [
    '{P} warrants that the Services will perform materially in accordance with the documentation during the term.',
    'Except as expressly stated in this Agreement, all warranties, conditions and other terms implied by statute or common law are excluded.',
  ],
  'LIMITATION OF LIABILITY': [
    "Neither party's total liability arising under or in connection with this Agreement shall exceed the fees paid in the twelve (12) months before the claim.",
    'Neither party shall be liable for any loss of profits, loss of business, or any indirect or consequential loss.',
    'Nothing in this Agreement limits liability for death or personal injury caused by negligence, or for fraud.',
  ],
  'AUDIT': [
    '{C} may, once per year and on thirty (30) days notice, audit the financial records of {P} relating to the fees charged under this Agreement.',
    'Each audit shall be conducted during normal business hours and shall not unreasonably disrupt the business of {P}.',
  ],
  'FORCE MAJEURE': [
    'Neither party is liable for delay or failure to perform caused by events beyond its reasonable control, including flood, fire, war or strike.',
    'If a force majeure event continues for more than sixty (60) days, either party may terminate this Agreement by written notice.',
  ],
  'GOVERNING LAW': [
    'This Agreement is governed by the laws of {law}, and the courts of {law} have exclusive jurisdiction over any dispute.',
    'The parties shall first attempt to resolve any dispute through good-faith negotiation between senior representatives.',
  ],
  'GENERAL': [
    'This Agreement constitutes the entire agreement between the parties and supersedes all prior agreements relating to its subject matter.',
    'No variation of this Agreement is effective unless it is in writing and signed by authorised representatives of both parties.',
    'Notices shall be in writing and delivered by hand, by courier or by email to the addresses set out in the Order Form.',
    'If any provision of this Agreement is found invalid or unenforceable, the remaining provisions continue in full force.',
  ],
};

const SERVICES = [
  'Application hosting', 'Managed database', 'Backup and restore', 'Support desk (business hours)', 'Support desk (24x7)', 'Incident management',
  'Change management', 'Monitoring and alerting', 'Network management', 'Identity management', 'Email delivery', 'Content delivery network',
  'Load balancing', 'Disaster recovery', 'Capacity planning', 'Release management', 'Security patching', 'Vulnerability scanning',
  'Log management', 'Reporting dashboard', 'API gateway', 'Message queue', 'Object storage', 'Search service', 'Batch processing',
  'Machine learning platform', 'Mobile backend', 'Payment gateway integration', 'Customer portal', 'Data warehouse',
];
const TITLES = ['MASTER SERVICES AGREEMENT', 'SAAS SUBSCRIPTION AGREEMENT', 'CONSULTING AGREEMENT', 'RESELLER AGREEMENT', 'CLOUD HOSTING AGREEMENT', 'SUPPORT AND MAINTENANCE AGREEMENT'];
const COMPANIES = [
  'Northwind', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Soylent', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Aperture', 'Massive',
  'Oscorp', 'Wonka', 'Gringotts', 'Monarch', 'Acme', 'Dunder', 'Prestige', 'Sterling', 'Bluth', 'Pied', 'Virtucon', 'Nakatomi', 'Zorin', 'Rekall',
  'Omni', 'Gekko', 'Duff',
];
const SUFFIXES = ['Ltd', 'GmbH', 'SAS', 'B.V.', 'S.p.A.', 'AB', 'Inc.', 'Oy'];
const LAWS = ['England and Wales', 'Ireland', 'the Netherlands', 'Germany', 'France', 'Sweden'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Wraps `text` at `width` columns; continuation lines are indented like a PDF text export. */
function wrap(first: string, text: string, width = 88): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > width && line.trim().length > first.length) {
      lines.push(line);
      line = `    ${word}`;
    } else line = line.endsWith(' ') || line === '' ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Generates the contracts. Deterministic for a given `count` and `seed`. */
export function generateContracts(options: GenerateContractsOptions = {}): ContractCorpus {
  const count = options.count ?? 100;
  if (!Number.isInteger(count) || count < 10 || count > 400) throw new RangeError(`count must be an integer from 10 to 400, got ${count}.`);
  const random = createRandom(options.seed ?? 5);
  const { pick } = random;
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [copy[index], copy[other]] = [copy[other]!, copy[index]!];
    }
    return copy;
  };
  // A different pair of companies for every contract, so the same clause never reads the same twice.
  const pairs = shuffle(COMPANIES.flatMap((provider) => COMPANIES.filter((customer) => customer !== provider).map((customer) => [provider, customer] as const)));

  const contracts: Record<string, string> = {};
  const privacyClauses: PrivacyClause[] = [];
  const lookAlikes: { contract: string; clause: string }[] = [];
  for (let index = 0; index < count; index++) {
    const key = `contract_${String(index).padStart(3, '0')}`;
    const [provider, customer] = pairs[index]!;
    const law = pick(LAWS);
    const fill = (text: string) =>
      text.replaceAll('{P}', provider).replaceAll('{C}', customer).replaceAll('{years}', String(1 + Math.floor(random() * 4))).replaceAll('{law}', law);
    const title = pick(TITLES);
    const date = `${1 + Math.floor(random() * 28)} ${pick(MONTH_NAMES)} ${2019 + Math.floor(random() * 6)}`;
    const parts = [
      title,
      '',
      wrap('', `This ${title.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase())} (the "Agreement") is entered into on ${date} between ${provider} ${pick(SUFFIXES)} ("${provider}") and ${customer} ${pick(SUFFIXES)} ("${customer}").`),
    ];

    // Sections in a fixed order; some optional ones left out; a data protection section in ~60 %.
    const names = Object.keys(SECTIONS).filter((name) => !['AUDIT', 'FORCE MAJEURE', 'WARRANTIES'].includes(name) || random() < 0.6);
    const privacy = random() < 0.6 ? shuffle(PRIVACY).slice(0, 1 + Math.floor(random() * 4)) : [];
    if (privacy.length > 0) names.splice(names.indexOf('LIMITATION OF LIABILITY') + 1, 0, 'DATA PROTECTION');
    // One privacy clause in ~15 % of contracts hides outside any data protection section.
    const stray = random() < 0.15 ? pick(PRIVACY.filter((template) => !privacy.includes(template))) : undefined;
    names.forEach((name, position) => {
      const number = position + 1;
      parts.push('', `${number}. ${name}`);
      let clauses: { text: string; template?: ClauseTemplate; lookAlike?: boolean }[];
      if (name === 'DATA PROTECTION') {
        clauses = [COMPLY_WITH_LAW, ...privacy].map((template) => ({ text: template.text, template }));
      } else {
        const pool = SECTIONS[name]!;
        clauses = shuffle(pool).slice(0, Math.max(2, Math.ceil(random() * pool.length))).map((text) => ({ text }));
        if (name === 'FEES AND PAYMENT' && random() < 0.3) clauses.push({ text: LOOK_ALIKES[0]!, lookAlike: true });
        if (name === 'TERM AND TERMINATION' && random() < 0.4) clauses.push({ text: LOOK_ALIKES[1]!, lookAlike: true });
        if (name === 'GENERAL' && stray !== undefined) clauses.splice(1, 0, { text: stray.text, template: stray });
      }
      clauses.forEach((clause, offset) => {
        const id = `${number}.${offset + 1}`;
        const text = fill(clause.text);
        parts.push(wrap(`${id} `, text));
        if (clause.template !== undefined) privacyClauses.push({ contract: key, clause: id, text, compliant: clause.template.compliant, kind: clause.template.kind });
        if (clause.lookAlike === true) lookAlikes.push({ contract: key, clause: id });
      });
    });
    parts.push('', `SCHEDULE 1: SERVICE LEVELS AND FEES`, '', `${'Service'.padEnd(28)}${'Availability'.padEnd(14)}${'Response'.padEnd(12)}${'Monthly fee'.padEnd(14)}Service credit`);
    for (const service of shuffle(SERVICES).slice(0, 12 + Math.floor(random() * 14))) {
      const availability = `${pick(['99.0', '99.5', '99.9', '99.95'])} %`;
      const response = `${pick([1, 2, 4, 8, 24])} h`;
      const fee = `EUR ${(200 + Math.floor(random() * 9800)).toLocaleString('en-US')}`;
      parts.push(`${service.padEnd(28)}${availability.padEnd(14)}${response.padEnd(12)}${fee.padEnd(14)}${pick([5, 10, 15, 25])} % of the monthly fee`);
    }
    parts.push('', 'Service credits are the sole remedy for failure to meet the service levels, capped at 25 % of the monthly fees.');
    parts.push('', `Signed for and on behalf of ${provider}: ____________________    Signed for and on behalf of ${customer}: ____________________`);
    contracts[key] = `${parts.join('\n')}\n`;
  }
  // Every template names both parties and every pair is used once, so a quote identifies its contract.
  if (new Set(privacyClauses.map((clause) => clause.text)).size !== privacyClauses.length) throw new Error('generateContracts: two privacy clauses have the same text');
  return { contracts, privacyClauses, lookAlikes };
}
