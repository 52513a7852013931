/** The marker word the overhead workload counts. */
export const MARKER_WORD = 'needle';
/** Every line of the workload text has this many bytes (newline included), so chunks of a multiple never split a line. */
export const LINE_BYTES = 64;
/** Lines per repeating block; exactly one line of each block carries the marker word. */
const BLOCK_LINES = 97;

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

function line(index: number): string {
  const words: string[] = [];
  for (let k = 0; words.join(' ').length < LINE_BYTES; k++) words.push(WORDS[(index * 7 + k * 5) % WORDS.length]!);
  let text = `${String(index).padStart(4, '0')} ${words.join(' ')}`;
  if (index === 41) text = `${String(index).padStart(4, '0')} the ${MARKER_WORD} is here ${words.join(' ')}`;
  return `${text.slice(0, LINE_BYTES - 1)}\n`;
}

let block: Uint8Array | undefined;

function textBlock(): Uint8Array {
  block ??= new TextEncoder().encode(Array.from({ length: BLOCK_LINES }, (_, index) => line(index)).join(''));
  return block;
}

/** Workload text of `bytes` bytes (rounded down to whole lines) and how many marker words it holds. */
export interface NeedleText {
  readonly bytes: Uint8Array;
  readonly markers: number;
}

/**
 * Generates ASCII text of fixed-width lines, one line in 97 carrying {@link MARKER_WORD}, as bytes
 * (works beyond V8's ~512 MB string limit). Decode with `TextDecoder` for a string.
 */
export function needleText(bytes: number): NeedleText {
  const source = textBlock();
  const size = Math.floor(bytes / LINE_BYTES) * LINE_BYTES;
  const out = new Uint8Array(size);
  let filled = Math.min(size, source.length);
  out.set(source.subarray(0, filled), 0);
  while (filled < size) {
    // Doubling copies: log2(size / block) passes.
    const length = Math.min(filled - (filled % source.length), size - filled);
    out.copyWithin(filled, 0, length);
    filled += length;
  }
  const lines = size / LINE_BYTES;
  const markers = Math.floor(lines / BLOCK_LINES) + (lines % BLOCK_LINES > 41 ? 1 : 0);
  return { bytes: out, markers };
}

/** Counts non-overlapping occurrences of `word` in `text`. */
export function countWord(text: string, word: string = MARKER_WORD): number {
  let count = 0;
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) count++;
  return count;
}
