import type { ResolvedSettings } from '../api/resolve-settings.js';

const MIB = 1024 * 1024;
/** Smallest frame limit the engine asks for, in bytes (8 MiB). */
export const MIN_FRAME_LIMIT_BYTES = 8 * MIB;
/** Largest frame limit the engine asks for, in bytes (256 MiB). */
export const MAX_FRAME_LIMIT_BYTES = 256 * MIB;

/** UTF-8 bytes of one character at most: prompts travel as UTF-8 attachments. */
const PROMPT_BYTES_PER_CHAR = 4;
/** JSON bytes of one character at most in a frame header (an astral character as two `\uXXXX` escapes). */
const HEADER_BYTES_PER_CHAR = 12;
/** Text fields of an execution result cut to `maxOutputChars` each: stdout, stderr, traceback, message. */
const OUTPUT_FIELDS = 4;
/** What surrounds the variable parts of a frame (field names, ids, counters), and some spare room. */
const FRAME_OVERHEAD_BYTES = MIB;

/**
 * The largest message (frame header line or attachment, each) a sandbox may send the host in a run
 * with these settings: `CreateSessionOptions.maxFrameBytes`. It leaves room for the largest
 * legitimate messages — one sub-call prompt of `maxSubcallPromptChars` characters as UTF-8, or an
 * execution result whose text fields are each cut to `maxOutputChars` characters — and no more:
 *
 * `4 × maxSubcallPromptChars + 12 × 4 × maxOutputChars + 1 MiB`, rounded up to a whole MiB and
 * clamped to [8 MiB, 256 MiB].
 *
 * With the defaults (20 000 output characters, 2 000 000 prompt characters) it is 10 MiB. A FINAL
 * value or tool arguments over it raise in Python with a message asking for something smaller; a
 * batch over it is split by the runtime; a sandbox that sends more anyway is killed.
 */
export function frameLimitBytes(settings: Pick<ResolvedSettings, 'maxOutputChars' | 'maxSubcallPromptChars'>): number {
  const wanted =
    PROMPT_BYTES_PER_CHAR * settings.maxSubcallPromptChars +
    HEADER_BYTES_PER_CHAR * OUTPUT_FIELDS * settings.maxOutputChars +
    FRAME_OVERHEAD_BYTES;
  const rounded = Math.ceil(wanted / MIB) * MIB;
  return Math.min(MAX_FRAME_LIMIT_BYTES, Math.max(MIN_FRAME_LIMIT_BYTES, rounded));
}
