/**
 * The seeded random numbers behind the examples' synthetic data: the same seed gives the same
 * corpus on every machine, so an example's output and its tests' ground truth agree.
 */

/** A seeded generator: call it for a float in [0, 1); `pick` and `between` draw from the same sequence. */
export interface SeededRandom {
  (): number;
  /** One item of `items`, uniformly (one draw). `items` must not be empty. */
  pick<T>(items: readonly T[]): T;
  /** An integer from `low` to `high`, both included (one draw). */
  between(low: number, high: number): number;
}

/**
 * mulberry32: a small, fast generator with 32 bits of state. `seed` is taken modulo 2^32; equal
 * seeds give equal sequences.
 */
export function createRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return Object.assign(next, {
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick needs at least one item.');
      return items[Math.floor(next() * items.length)]!;
    },
    between: (low: number, high: number): number => low + Math.floor(next() * (high - low + 1)),
  });
}
