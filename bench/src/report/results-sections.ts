/**
 * Sections of RESULTS.md written by other benchmark commands than `pnpm bench` (e.g. `pnpm bench
 * trajectories`). Each lives between `<!-- begin:NAME -->` and `<!-- end:NAME -->`; `pnpm bench`
 * regenerates the rest of the file and keeps these sections as they were.
 */
import { readFile, writeFile } from 'node:fs/promises';

const SECTION = /<!-- begin:([a-z-]+) -->[\s\S]*?<!-- end:\1 -->\n?/g;

/** The kept sections of a RESULTS.md text, in order. */
export function keptSections(text: string): string[] {
  return [...text.matchAll(SECTION)].map((match) => match[0].endsWith('\n') ? match[0] : `${match[0]}\n`);
}

/** `text` with section `name` replaced by `body`, or appended when it has none. */
export function spliceSection(text: string, name: string, body: string): string {
  const block = `<!-- begin:${name} -->\n${body.trimEnd()}\n<!-- end:${name} -->\n`;
  const pattern = new RegExp(`<!-- begin:${name} -->[\\s\\S]*?<!-- end:${name} -->\\n?`);
  if (pattern.test(text)) return text.replace(pattern, () => block);
  return `${text.trimEnd()}\n\n${block}`;
}

/** Writes section `name` into the RESULTS.md at `path` (created when missing). */
export async function writeResultsSection(path: string, name: string, body: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => '# rlms benchmark results\n');
  await writeFile(path, spliceSection(current, name, body));
}
