/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server. The scripted root model's Python runs in the Pyodide sandbox
 * over the 100 generated contracts. The test checks every privacy clause of the ground truth (with
 * its contract, clause number and verdict), that look-alikes are left out, and the printed quote
 * check: verified quotes with their contract, abridged quotes reported as not found.
 */
import { runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { generateContracts } from '../generate-contracts.ts';
import { ABRIDGE_OVER, reply } from './scripted-model.ts';

const EXAMPLE_DIR = new URL('..', import.meta.url);

describe('examples/contract-review', () => {
  it('finds every privacy clause, flags the non-compliant ones, and verifies the quotes', async () => {
    const { stdout } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandbox', 'pyodide', '--quiet']);
    const { contracts, privacyClauses, lookAlikes } = generateContracts();
    const [review = '', check = ''] = stdout.split('Quote check (verifyQuotes):');

    const withClauses = new Set(privacyClauses.map((clause) => clause.contract)).size;
    const flagged = privacyClauses.filter((clause) => !clause.compliant).length;
    expect(review).toContain(`Data-privacy clauses: ${privacyClauses.length} in ${withClauses} of 100 contracts; ${flagged} flagged non-compliant.`);
    const blockOf = (contract: string) => {
      const start = review.indexOf(`\n${contract} (`);
      return start < 0 ? '' : review.slice(start, review.indexOf('\n\n', start + 1));
    };
    for (const clause of privacyClauses) {
      const verdict = clause.compliant ? 'COMPLIANT' : 'NON-COMPLIANT';
      expect(blockOf(clause.contract), `${clause.contract} §${clause.clause} (${clause.kind})`).toContain(`  §${clause.clause} ${verdict}`);
    }
    for (const lookAlike of lookAlikes) {
      expect(blockOf(lookAlike.contract), `${lookAlike.contract} §${lookAlike.clause} is not a privacy clause`).not.toContain(`§${lookAlike.clause} `);
    }
    expect(review).toMatch(/§\d+\.\d+ NON-COMPLIANT: notice of a breach later than 72 hours \(GDPR Art\. 33\(2\)/);

    // Quote check: long clauses were abridged by the sub-model and cannot be verified; the others
    // are found in the contract the answer names (exactly when the clause fits on one line).
    const abridged = privacyClauses.filter((clause) => clause.text.length > ABRIDGE_OVER);
    const verified = privacyClauses.filter((clause) => clause.text.length <= ABRIDGE_OVER);
    const exact = verified.filter((clause) => contracts[clause.contract]!.includes(clause.text)).length;
    expect(check).toContain(
      ` ${privacyClauses.length} quotes in the answer; ${verified.length} found in the contracts (${exact} exact, ${verified.length - exact} after folding whitespace), 0 under the wrong contract, ${abridged.length} not found`,
    );
    for (const clause of verified) {
      // The clause starts right after its number at the start of a line.
      const offset = contracts[clause.contract]!.indexOf(`\n${clause.clause} `) + clause.clause.length + 2;
      expect(check, clause.text).toMatch(new RegExp(`✓ ${clause.contract} @ ${offset.toLocaleString('en-US')}[,:]`));
    }
    const notFound = check.slice(check.indexOf('Not found verbatim'));
    expect([...notFound.matchAll(/^ {2}✗ "/gm)]).toHaveLength(abridged.length);
    expect(notFound).toContain(' … ');
    expect(stdout).toMatch(/usage: completed · 4 root calls, \d+ sub-calls · /);
  });
});
