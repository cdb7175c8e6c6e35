import { describe, expect, it } from 'vitest';
import { Prng } from '../src/base/prng.ts';

describe('Prng', () => {
  it('is a pure function of its seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
    expect(new Set(xs).size).toBe(100);
  });
  it('forks independent named streams without disturbing the parent', () => {
    const parent = new Prng(7);
    const x = parent.fork('network').nextU32();
    expect(parent.fork('network').nextU32()).toBe(x);
    expect(parent.fork('disk').nextU32()).not.toBe(x);
    expect(parent.nextU32()).toBe(new Prng(7).nextU32());
  });
  it('keeps nextInt in range and roughly uniform', () => {
    const p = new Prng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[p.nextInt(4)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });
});
