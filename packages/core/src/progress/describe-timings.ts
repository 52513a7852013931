import type { RunTimings } from '../engine/index.js';
import { formatElapsed, plural } from './words.js';

/**
 * Where a run's time went, in one line: `'Time: prepare 12 ms · sandbox start 1.2 s · context load
 * 300 ms · root model 2.1 s · 3 cells 4.0 s (sub-calls 3.1 s, Python and transfer 900 ms).'`
 */
export function describeRunTimings(timings: RunTimings): string {
  const parts = [
    ...(timings.prepareMs === undefined ? [] : [`prepare ${formatElapsed(timings.prepareMs)}`]),
    `sandbox start ${formatElapsed(timings.sandboxStartMs)}`,
    `context load ${formatElapsed(timings.loadContextMs)}`,
    `root model ${formatElapsed(timings.modelWaitMs)}`,
    `${plural(timings.cells, 'cell')} ${formatElapsed(timings.cellsMs)} (sub-calls ${formatElapsed(timings.subcallsMs)}, Python and transfer ${formatElapsed(timings.pythonAndTransferMs)})`,
  ];
  return `Time: ${parts.join(' · ')}.`;
}
