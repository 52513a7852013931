/**
 * A synthetic corpus for the example: release notes of a fictional shop, one LangChain Document
 * per release. Three releases change the refund window; every other note is routine, so a
 * question about the refund window's history needs several documents from anywhere in the corpus.
 */
import { Document } from '@langchain/core/documents';

const ROUTINE = [
  'Checkout pages load faster on slow mobile connections.',
  'Fixed a typo in the order confirmation email.',
  'Search now ranks in-stock items first.',
  'Gift cards show their remaining balance on the account page.',
  'Shipping labels include the warehouse code.',
  'The product gallery supports pinch-to-zoom.',
  'Inventory sync with the warehouse runs every five minutes instead of every ten.',
  'Customer support tickets link to the related order.',
  'Invoices are generated as PDF/A for archiving.',
  'The newsletter sign-up form validates addresses before submitting.',
  'Admins can export the product catalogue as CSV.',
  'Dark mode follows the operating system setting.',
];

/** Releases (by index) whose notes change the refund window, with the sentence they carry. */
export const REFUND_CHANGES: ReadonlyMap<number, string> = new Map([
  [14, 'Refund window: customers can now ask for a refund within 30 days of delivery (was 14 days).'],
  [187, 'Refund window: members of the Plus programme get 60 days; everyone else keeps 30 days.'],
  [342, 'Refund window: items bought during the winter sale can be refunded until 31 January.'],
]);

/** The version string of release `index`: 2.0, 2.1, … */
export function versionOf(index: number): string {
  return `2.${index}`;
}

/** `count` release notes as Documents, `metadata.source` = `releases/v2.<n>.md`. */
export function releaseNotes(count: number): Document[] {
  const documents: Document[] = [];
  for (let index = 0; index < count; index++) {
    const lines = [`# Acme Shop ${versionOf(index)}`, '', `Released on day ${index * 3 + 1} of the programme.`, ''];
    for (let item = 0; item < 24; item++) lines.push(`- ${ROUTINE[(index * 7 + item * 5) % ROUTINE.length]} (ticket ACME-${index * 100 + item})`);
    const change = REFUND_CHANGES.get(index);
    if (change !== undefined) lines.splice(4 + (index % 20), 0, `- ${change}`);
    documents.push(new Document({ pageContent: lines.join('\n'), metadata: { source: `releases/v${versionOf(index)}.md`, version: versionOf(index) } }));
  }
  return documents;
}
