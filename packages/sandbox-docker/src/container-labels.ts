import { hostname } from 'node:os';

/** Label present on every container this package creates (value `'1'`). */
export const SANDBOX_LABEL = 'dev.rlms.sandbox';
/** Process id of the Node process that created the container. */
export const OWNER_PID_LABEL = 'dev.rlms.owner-pid';
/** Host name of the machine that created the container (pids only mean something there). */
export const OWNER_HOST_LABEL = 'dev.rlms.owner-host';
/** Creation time, milliseconds since the epoch. */
export const CREATED_LABEL = 'dev.rlms.created';

/** The `dev.rlms.*` labels for a container created now by this process, plus the user's own. */
export function ownerLabels(extra: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...extra,
    [SANDBOX_LABEL]: '1',
    [OWNER_PID_LABEL]: String(process.pid),
    [OWNER_HOST_LABEL]: hostname(),
    [CREATED_LABEL]: String(Date.now()),
  };
}
