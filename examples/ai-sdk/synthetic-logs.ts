/**
 * A deterministic synthetic log corpus for the example, so it runs without any input file:
 * mostly INFO lines, with a few ERROR incidents hidden in them.
 */
import { createRandom } from '@rlms/examples-shared/seeded-random';

const SERVICES = ['web', 'search', 'catalog', 'cart', 'notifications'];
const PATHS = ['/api/items', '/api/search', '/api/cart', '/health', '/api/users/me'];
const INCIDENTS = [
  'ERROR svc=billing msg="upstream timeout after 30000 ms" upstream=payments-gateway',
  'ERROR svc=billing msg="upstream timeout after 30000 ms" upstream=payments-gateway',
  'ERROR svc=auth msg="token signature invalid" kid=2024-11',
  'ERROR svc=billing msg="card declined: insufficient funds" code=51',
  'ERROR svc=inventory msg="deadlock detected" table=stock_levels',
];

/** About `megabytes` MB of log lines with the incidents spread evenly through them. */
export function syntheticLogs(megabytes: number): string {
  // Seeded, so the corpus is the same on every run.
  const next = createRandom(42);
  const target = Math.max(1, Math.round(megabytes * 1024 * 1024));
  const lines: string[] = [];
  let size = 0;
  let second = 0;
  const every = Math.max(1, Math.floor(target / 90 / (INCIDENTS.length + 1)));
  let incident = 0;
  while (size < target) {
    const time = new Date(Date.UTC(2025, 2, 1) + second++ * 1000).toISOString();
    const line =
      lines.length > 0 && lines.length % every === 0 && incident < INCIDENTS.length
        ? `${time} ${INCIDENTS[incident++]}`
        : `${time} INFO svc=${SERVICES[Math.floor(next() * SERVICES.length)]} path=${PATHS[Math.floor(next() * PATHS.length)]} status=200 ms=${Math.floor(next() * 200)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}
