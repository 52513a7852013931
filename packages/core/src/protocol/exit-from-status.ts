import { constants } from 'node:os';
import type { TransportExit } from './frame-transport.js';

/**
 * The {@link TransportExit} of a runtime whose exit status a shell or a cloud SDK reports: a
 * status above 128 means killed by signal `status - 128`, named when the platform knows it
 * (137 → `{ code: 137, signal: 'SIGKILL' }`); `undefined` or `null` is an unknown code.
 */
export function exitFromStatus(status: number | null | undefined): TransportExit {
  if (status === undefined || status === null) return { code: null };
  if (status > 128) {
    const name = Object.entries(constants.signals).find(([, number]) => number === status - 128)?.[0];
    if (name !== undefined) return { code: status, signal: name };
  }
  return { code: status };
}
