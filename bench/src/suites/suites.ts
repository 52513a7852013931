import { createCodeQaSuite } from './codeqa.js';
import { oolongPairsSuite } from './oolong-pairs.js';
import { oolongSuite } from './oolong.js';
import { sNiahSuite } from './s-niah.js';
import type { Suite, SuiteId } from './suite-types.js';

/** Every suite id, in report order. */
export const SUITE_IDS: readonly SuiteId[] = ['s-niah', 'oolong', 'oolong-pairs', 'codeqa'];

/**
 * The suite with this id. Throws `RangeError` naming the valid ids for an unknown one.
 * `codeqa` reads this repository's `packages/` (or `repoRoot`).
 */
export function getSuite(id: string, options: { readonly repoRoot?: string } = {}): Suite {
  switch (id) {
    case 's-niah':
      return sNiahSuite;
    case 'oolong':
      return oolongSuite;
    case 'oolong-pairs':
      return oolongPairsSuite;
    case 'codeqa':
      return createCodeQaSuite(options.repoRoot);
    default:
      throw new RangeError(`Unknown suite "${id}": use one of ${SUITE_IDS.join(', ')}.`);
  }
}
