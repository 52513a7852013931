import type { ExecutionResult } from '../../spec/sandbox-provider-v1.js';
import type { TrajectoryExecution } from './trajectory.js';
import { truncateMiddle } from '../prompt/truncate.js';

/**
 * `text` made flat, sharing no memory with the strings it was cut from. V8 represents a slice or a
 * concatenation of a long string as a view that keeps the whole original alive: a 200 KB excerpt
 * stored in a trajectory would otherwise pin the 300 MB prompt it came from. Reading a character
 * flattens the string into one fresh copy (one memcpy; a JSON round trip cost ~5× more at 500
 * sub-calls of 200 KB). `test/trajectory-text-memory.test.ts` checks that nothing stays pinned.
 */
function detached(text: string): string {
  text.charCodeAt(0);
  return text;
}

/**
 * True when `value` serialises to at most `maxChars` characters of JSON (roughly: strings count
 * their length plus quotes, numbers their decimal form). Stops walking as soon as the count is past
 * `maxChars`, so a huge value costs no more than the limit.
 */
export function jsonFitsWithin(value: unknown, maxChars: number): boolean {
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') chars += item.length + 2;
    else if (item === null || typeof item !== 'object') chars += String(item).length;
    else if (Array.isArray(item)) {
      chars += 2 + item.length;
      for (const element of item) stack.push(element);
    } else {
      for (const [key, element] of Object.entries(item)) {
        chars += key.length + 4;
        stack.push(element);
      }
      chars += 2;
    }
    if (chars > maxChars) return false;
  }
  return true;
}

/**
 * Caps what one trajectory stores per text (`maxTrajectoryTextChars`): a prompt, a reply, a code
 * block, an output, an answer. A longer text is stored as its head and tail with a note of how many
 * characters were cut; every cut is reported through `onCut`. Model calls still get whole texts:
 * only the stored copies are cut.
 */
export class TrajectoryTexts {
  constructor(
    readonly maxChars: number,
    private readonly onCut: () => void,
  ) {}

  /** `text`, or its head and tail when it is longer than the cap. */
  text(text: string): string {
    if (text.length <= this.maxChars) return text;
    this.onCut();
    return detached(truncateMiddle(text, this.maxChars).text);
  }

  /**
   * The head and tail of a text that was refused, not sent (a prompt past a limit): at most
   * `maxChars` characters, enough to recognise it. Not reported as a cut (the refusal is).
   */
  preview(text: string, maxChars: number): string {
    const limit = Math.min(maxChars, this.maxChars);
    return text.length <= limit ? text : detached(truncateMiddle(text, limit).text);
  }

  /** A JSON-compatible value as stored: itself when its JSON fits the cap, else `undefined` (a cut). */
  value(value: unknown): unknown {
    if (value === undefined || jsonFitsWithin(value, this.maxChars)) return value;
    this.onCut();
    return undefined;
  }

  /** One code block and its result, with every text capped (and a FINAL value too large to store dropped). */
  execution(code: string, result: ExecutionResult): TrajectoryExecution {
    const { stdout, stderr, error, final } = result;
    const stored: ExecutionResult = {
      ...result,
      stdout: this.text(stdout),
      stderr: this.text(stderr),
      ...(error === undefined ? {} : { error: { ...error, message: this.text(error.message), traceback: this.text(error.traceback) } }),
      ...(final === undefined ? {} : { final: this.final(final) }),
    };
    return { code: this.text(code), result: stored };
  }

  private final(final: NonNullable<ExecutionResult['final']>): NonNullable<ExecutionResult['final']> {
    const value = this.value(final.value);
    return { ...final, text: this.text(final.text), value: value === undefined && final.value !== undefined ? this.text(final.text) : value };
  }
}
