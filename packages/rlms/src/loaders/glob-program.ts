/** One step of a gitignore pattern. */
export type GlobPart =
  /** Plain characters. */
  | { readonly kind: 'text'; readonly text: string }
  /** `?`: one character other than `/`. */
  | { readonly kind: 'one' }
  /** `[a-z]`, `[!a-z]`: one character other than `/`, in (or, negated, outside) the `[low, high, …]` code ranges. */
  | { readonly kind: 'class'; readonly negate: boolean; readonly ranges: readonly number[] }
  /** `*`: any characters other than `/`. */
  | { readonly kind: 'star' }
  /** `**` alone: anything. */
  | { readonly kind: 'all' }
  /** `dir/**`: one character or more, `/` included. */
  | { readonly kind: 'inside' }
  /** `**` + `/` (leading or in the middle): nothing, or anything ending with `/`. */
  | { readonly kind: 'folders' };

const CHAR = 0;
const CLASS = 1;
const NOT_SLASH = 2;
const ANY = 3;
const SPLIT = 4;
const MATCH = 5;
const SLASH = 0x2f;

/**
 * A gitignore pattern compiled to a small automaton and run by simulating all its states at once
 * (Thompson's construction): matching takes at most (text length × pattern length) steps whatever
 * the pattern. A backtracking regular expression can take exponential time on `*a*a*a*a*b`.
 */
export class GlobProgram {
  private readonly ops: number[] = [];
  private readonly first: number[] = [];
  private readonly second: number[] = [];
  private readonly classes: { readonly negate: boolean; readonly ranges: readonly number[] }[] = [];
  /** Per-state mark of the current step, to add each state once. */
  private marks: Uint32Array = new Uint32Array(0);
  private step = 0;

  /** `ignoreCase`: the text given to {@link matches} must then be lower-cased already. */
  constructor(
    parts: readonly GlobPart[],
    private readonly ignoreCase: boolean,
  ) {
    for (const part of parts) {
      switch (part.kind) {
        case 'text':
        {
          const text = ignoreCase ? part.text.toLowerCase() : part.text;
          for (let index = 0; index < text.length; index++) this.emit(CHAR, text.charCodeAt(index));
          break;
        }
        case 'one':
          this.emit(NOT_SLASH);
          break;
        case 'class':
          this.emit(CLASS, this.classes.push(part) - 1);
          break;
        case 'star':
          this.loop(NOT_SLASH);
          break;
        case 'all':
          this.loop(ANY);
          break;
        case 'inside':
          this.emit(ANY);
          this.loop(ANY);
          break;
        case 'folders': {
          // L: split(L+1, L+5); L+1: split(L+2, L+4); L+2: any; L+3: jump L+1; L+4: '/'; L+5: …
          const start = this.ops.length;
          this.emit(SPLIT, start + 1, start + 5);
          this.emit(SPLIT, start + 2, start + 4);
          this.emit(ANY);
          this.emit(SPLIT, start + 1, start + 1);
          this.emit(CHAR, SLASH);
          break;
        }
      }
    }
    this.emit(MATCH);
    this.marks = new Uint32Array(this.ops.length);
  }

  private emit(op: number, first = 0, second = 0): void {
    this.ops.push(op);
    this.first.push(first);
    this.second.push(second);
  }

  /** `op*`: L: split(L+1, L+3); L+1: op; L+2: jump L; L+3: … */
  private loop(op: typeof NOT_SLASH | typeof ANY): void {
    const start = this.ops.length;
    this.emit(SPLIT, start + 1, start + 3);
    this.emit(op);
    this.emit(SPLIT, start, start);
  }

  private add(states: number[], state: number): void {
    const pending = [state];
    while (pending.length > 0) {
      const current = pending.pop()!;
      if (this.marks[current] === this.step) continue;
      this.marks[current] = this.step;
      if (this.ops[current] === SPLIT) pending.push(this.second[current]!, this.first[current]!);
      else states.push(current);
    }
  }

  private accepts(state: number, code: number): boolean {
    switch (this.ops[state]) {
      case CHAR:
        return this.first[state] === code;
      case NOT_SLASH:
        return code !== SLASH;
      case ANY:
        return true;
      case CLASS: {
        if (code === SLASH) return false;
        const { negate, ranges } = this.classes[this.first[state]!]!;
        const inRanges = (value: number) => {
          for (let i = 0; i < ranges.length; i += 2) if (value >= ranges[i]! && value <= ranges[i + 1]!) return true;
          return false;
        };
        let inside = inRanges(code);
        if (!inside && this.ignoreCase) {
          const upper = String.fromCharCode(code).toUpperCase();
          inside = upper.length === 1 && inRanges(upper.charCodeAt(0));
        }
        return inside !== negate;
      }
      default:
        return false;
    }
  }

  private nextStep(): void {
    if (++this.step === 0xffffffff) {
      this.marks.fill(0);
      this.step = 1;
    }
  }

  /** Whether the whole `text` matches. */
  matches(text: string): boolean {
    return this.run(text).matched;
  }

  /** Whether the whole `text` matches, and the work it took (states looked at, at most text length × program size). */
  run(text: string): { matched: boolean; steps: number } {
    this.nextStep();
    let states: number[] = [];
    this.add(states, 0);
    let steps = states.length;
    for (let index = 0; index < text.length && states.length > 0; index++) {
      const code = text.charCodeAt(index);
      this.nextStep();
      const next: number[] = [];
      for (const state of states) if (this.accepts(state, code)) this.add(next, state + 1);
      states = next;
      steps += states.length + 1;
    }
    return { matched: states.some((state) => this.ops[state] === MATCH), steps };
  }
}
