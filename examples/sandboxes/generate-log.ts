/**
 * A deterministic service log: timestamped INFO/WARN/ERROR lines from six services, each service
 * with its own error messages at known rates. Same seed, same log.
 */
import { createRandom } from '@rlms/examples-shared/seeded-random';

const SERVICES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  api: [['upstream timeout after 30000 ms', 5], ['invalid JSON in request body', 2]],
  auth: [['token signature mismatch', 3], ['LDAP bind failed: connection reset', 1]],
  checkout: [['cart total mismatch after discount', 2], ['inventory reservation expired', 4]],
  payments: [['card declined by issuer (code 51)', 6], ['gateway returned HTTP 502', 3], ['duplicate idempotency key', 1]],
  search: [['index shard 3 unavailable', 2]],
  inventory: [],
};

const INFO = ['request handled in {ms} ms', 'cache hit ratio {pct} %', 'health check ok', 'connection pool size {n}', 'job finished in {ms} ms'];
const WARN = ['slow query took {ms} ms', 'retrying request (attempt {n})', 'memory usage at {pct} %'];

/** The log text and, per service, how often each error message occurs. */
export interface ServiceLog {
  readonly text: string;
  readonly errors: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Generates `lines` log lines (default 20,000). Deterministic for a given `lines` and `seed`. */
export function generateLog(options: { readonly lines?: number; readonly seed?: number } = {}): ServiceLog {
  const count = options.lines ?? 20_000;
  if (!Number.isInteger(count) || count < 100) throw new RangeError(`lines must be an integer of at least 100, got ${count}.`);
  const random = createRandom(options.seed ?? 17);
  const { pick } = random;
  const fill = (template: string) =>
    template.replace('{ms}', String(5 + Math.floor(random() * 900))).replace('{pct}', String(40 + Math.floor(random() * 59))).replace('{n}', String(1 + Math.floor(random() * 9)));
  const names = Object.keys(SERVICES);
  const errors: Record<string, Record<string, number>> = {};
  const lines: string[] = [];
  let time = Date.UTC(2025, 5, 1, 8);
  for (let index = 0; index < count; index++) {
    time += Math.floor(random() * 900);
    const service = pick(names);
    const roll = random();
    let level = 'INFO ';
    let message = fill(pick(INFO));
    const table = SERVICES[service]!;
    if (roll < 0.02 * table.reduce((sum, [, weight]) => sum + weight, 0) / 3) {
      // Pick an error message by weight.
      let weight = random() * table.reduce((sum, [, w]) => sum + w, 0);
      let chosen = 0;
      while (weight >= table[chosen]![1]) weight -= table[chosen++]![1];
      level = 'ERROR';
      message = table[chosen]![0];
      errors[service] ??= {};
      errors[service][message] = (errors[service][message] ?? 0) + 1;
    } else if (roll > 0.95) {
      level = 'WARN ';
      message = fill(pick(WARN));
    }
    lines.push(`${new Date(time).toISOString()} ${level} [${service}] ${message}`);
  }
  return { text: `${lines.join('\n')}\n`, errors };
}
