import { LINE_BYTES, needleText } from '../scripted/needle-text.js';

/** The overhead workload: a text context, its question and the right answer. */
export interface Workload {
  readonly text: string;
  readonly bytes: number;
  readonly question: string;
  /** The marker count, the right final answer. */
  readonly expected: number;
  readonly chunkChars: number;
}

/** The question of the overhead workload. */
export const WORKLOAD_QUESTION = 'How many times does the marker word appear in the context?';

/** Rounds a chunk size down to whole workload lines (at least one line). */
export function chunkCharsFor(requested: number): number {
  return Math.max(LINE_BYTES, Math.floor(requested / LINE_BYTES) * LINE_BYTES);
}

/** Builds the workload text of about `bytes` bytes (a string; use `needleText` directly beyond ~500 MB). */
export function makeWorkload(bytes: number, chunkChars: number): Workload {
  const generated = needleText(bytes);
  return {
    text: new TextDecoder().decode(generated.bytes),
    bytes: generated.bytes.byteLength,
    question: WORKLOAD_QUESTION,
    expected: generated.markers,
    chunkChars: chunkCharsFor(chunkChars),
  };
}
