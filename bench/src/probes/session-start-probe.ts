/**
 * Fresh-process probe for cold session starts. Usage:
 *   node dist/probes/session-start-probe.js <local|pyodide|docker> <default|reuse> <warmRuns> <idleRuns> <idleMs> [dockerImage]
 * Prints one JSON line: { importMs, coldMs, warm: { backToBack, afterIdle } }.
 */
import type { HostBridge } from '@rlms/core';
import { createSandboxProvider, type SandboxName } from '../sandboxes/load-sandboxes.js';
import { measureWarmStarts } from '../overhead/session-start.js';
import { preciseNow } from '../util/intervals.js';

const [name, variant, warmRuns, idleRuns, idleMs, dockerImage] = process.argv.slice(2);
const host: HostBridge = { call: async () => '' };
const importStart = preciseNow();
const provider = await createSandboxProvider(name as SandboxName, {
  variant: variant === 'reuse' ? 'reuse' : 'default',
  ...(dockerImage === undefined ? {} : { dockerImage }),
});
const importMs = preciseNow() - importStart;
const coldStart = preciseNow();
const session = await provider.createSession({ host });
const coldMs = preciseNow() - coldStart;
await session.destroy();
const warm = await measureWarmStarts(provider, Number(warmRuns ?? 0), Number(idleRuns ?? 0), Number(idleMs ?? 1500));
await provider.close?.();
process.stdout.write(`${JSON.stringify({ importMs, coldMs, warm })}\n`);
process.exit(0);
