// Seeded pseudo-random numbers: xoshiro128** seeded through splitmix32. Every run's randomness
// comes from here, so the same seed gives the same run. `fork(name)` derives an independent
// stream per component, so adding a component does not reshuffle the others.
import { assert } from './assert.ts';

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a over a string: stable stream names → seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  readonly seed: number;

  constructor(seed: number) {
    assert(Number.isInteger(seed), 'Prng seed must be an integer');
    this.seed = seed >>> 0;
    let s = this.seed;
    let out: number;
    [s, out] = splitmix32(s);
    this.a = out;
    [s, out] = splitmix32(s);
    this.b = out;
    [s, out] = splitmix32(s);
    this.c = out;
    [, out] = splitmix32(s);
    this.d = out | 1;
  }

  /** Uniform unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    assert(Number.isInteger(bound) && bound > 0, 'nextInt bound must be a positive integer');
    return Math.floor(this.nextFloat() * bound);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.nextFloat() < p;
  }

  /** An independent stream for a named component, derived from this stream's seed only. */
  fork(name: string): Prng {
    return new Prng((this.seed ^ hashString(name)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
