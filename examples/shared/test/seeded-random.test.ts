import { describe, expect, it } from 'vitest';
import { createRandom } from '../seeded-random.ts';

describe('createRandom', () => {
  it('is mulberry32: the sequence the examples\' generators were written against', () => {
    const random = createRandom(7);
    expect([random(), random(), random()]).toEqual([0.011704753153026104, 0.06195825757458806, 0.97690763277933]);
    expect(createRandom(42)()).toBe(0.6011037519201636);
  });

  it('gives equal sequences for equal seeds and different ones for different seeds', () => {
    const a = createRandom(11);
    const b = createRandom(11);
    const c = createRandom(12);
    const draws = Array.from({ length: 100 }, () => [a(), b(), c()] as const);
    expect(draws.every(([x, y]) => x === y)).toBe(true);
    expect(draws.some(([x, , z]) => x !== z)).toBe(true);
    expect(draws.every(([x]) => x >= 0 && x < 1)).toBe(true);
  });

  it('pick and between take one draw each from the same sequence', () => {
    const random = createRandom(3);
    const reference = createRandom(3);
    const items = ['a', 'b', 'c', 'd'] as const;
    expect(random.pick(items)).toBe(items[Math.floor(reference() * items.length)]);
    expect(random.between(2, 40)).toBe(2 + Math.floor(reference() * 39));
    expect(random()).toBe(reference());
    const { pick, between } = createRandom(5);
    for (let n = 0; n < 200; n++) {
      expect(items).toContain(pick(items));
      const value = between(1, 6);
      expect(Number.isInteger(value) && value >= 1 && value <= 6).toBe(true);
    }
  });

  it('refuses to pick from an empty list', () => {
    expect(() => createRandom(1).pick([])).toThrow(RangeError);
  });
});
