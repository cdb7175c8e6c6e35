// What a swarm member keeps of the states it reached, so that the union of members — run in one
// process or as CI shards on other machines — can be counted without storing states: their 64-bit
// fingerprints (fingerprint.ts) while there are at most EXACT_FINGERPRINTS_MAX of them, and always
// a HyperLogLog of 2^14 one-byte registers over the same fingerprints. The union is exact
// (distinct fingerprints; a collision of two states, probability about n²/2^65, would undercount
// by one) when every member kept its list, else the HyperLogLog estimate, whose relative standard
// error is 1.04/√2^14 ≈ 0.81%. Both are merged register-wise / list-wise, so the count is the
// same whatever the order or grouping of members.
import { assert } from '../../base/assert.ts';
import { GrowableInt32 } from './growable.ts';

/** HyperLogLog index bits: 2^14 registers (16 KiB per member). */
export const HLL_BITS = 14;
export const HLL_REGISTERS = 1 << HLL_BITS;
/** A register's largest value: leading zeros of the 50 bits left after the index, plus one. */
export const HLL_RANK_MAX = 64 - HLL_BITS + 1;
/** The HyperLogLog estimate's relative standard error (Flajolet et al.: 1.04/√m). */
export const HLL_RELATIVE_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);
/** Members with more states than this keep only their HyperLogLog (8 bytes per state below it). */
export const EXACT_FINGERPRINTS_MAX = 1 << 16;

assert(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, 'fingerprint lists assume a little-endian host');

/** A sketch as shard files carry it: base64 of the sorted fingerprints (or null) and of the registers. */
export interface EncodedSketch {
  states: number;
  exact: string | null;
  hll: string;
}

export class CoverageSketch {
  readonly registers = new Uint8Array(HLL_REGISTERS);
  /** Fingerprints as (lo, hi) pairs while at most EXACT_FINGERPRINTS_MAX; null past it. */
  private list: GrowableInt32 | null = new GrowableInt32(1024);
  states = 0;

  /** Adds a state's fingerprint; a member adds each state it stores once. */
  add(hi: number, lo: number): void {
    this.states++;
    if (this.list !== null) {
      if (this.states > EXACT_FINGERPRINTS_MAX) this.list = null;
      else {
        this.list.push(lo | 0);
        this.list.push(hi | 0);
      }
    }
    const index = hi >>> (32 - HLL_BITS);
    const rest = (hi << HLL_BITS) >>> 0; // the 18 bits of hi below the index, then zeros
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - HLL_BITS + 1 + (lo === 0 ? 32 : Math.clz32(lo));
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  /** The sorted fingerprints, or null when there were too many to keep. */
  fingerprints(): BigUint64Array | null {
    if (this.list === null) return null;
    const sorted = new BigUint64Array(this.list.length / 2);
    new Int32Array(sorted.buffer).set(this.list.data.subarray(0, this.list.length));
    return sorted.sort();
  }

  encode(): EncodedSketch {
    const sorted = this.fingerprints();
    return {
      states: this.states,
      exact: sorted === null ? null : Buffer.from(sorted.buffer).toString('base64'),
      hll: Buffer.from(this.registers).toString('base64'),
    };
  }
}

/** A sketch read back (from a shard, or this process's own member): lists and registers. */
export interface DecodedSketch {
  states: number;
  exact: BigUint64Array | null;
  registers: Uint8Array;
}

/** Why an encoded sketch is not one (the caller names the field), or the decoded sketch. */
export function decodeSketch(
  sketch: EncodedSketch,
): { ok: true; sketch: DecodedSketch } | { ok: false; field: 'exact' | 'hll'; reason: string } {
  const registers = new Uint8Array(Buffer.from(sketch.hll, 'base64'));
  if (registers.length !== HLL_REGISTERS)
    return {
      ok: false,
      field: 'hll',
      reason: `expected ${HLL_REGISTERS} registers, got ${registers.length}`,
    };
  if (registers.some((r) => r > HLL_RANK_MAX))
    return { ok: false, field: 'hll', reason: `a register is above ${HLL_RANK_MAX}` };
  if (sketch.exact === null) {
    if (sketch.states <= EXACT_FINGERPRINTS_MAX)
      return { ok: false, field: 'exact', reason: `a member of ${sketch.states} states keeps its list` };
    return { ok: true, sketch: { states: sketch.states, exact: null, registers } };
  }
  if (sketch.states > EXACT_FINGERPRINTS_MAX)
    return { ok: false, field: 'exact', reason: `a member of ${sketch.states} states keeps no list` };
  const bytes = Buffer.from(sketch.exact, 'base64');
  if (bytes.length !== sketch.states * 8)
    return { ok: false, field: 'exact', reason: `expected ${sketch.states} fingerprints of 8 bytes` };
  const exact = new BigUint64Array(sketch.states);
  new Uint8Array(exact.buffer).set(bytes);
  for (let i = 1; i < exact.length; i++) {
    if (exact[i - 1]! >= exact[i]!)
      return { ok: false, field: 'exact', reason: 'fingerprints must be distinct and sorted' };
  }
  const again = new CoverageSketch();
  const words = new Uint32Array(exact.buffer);
  for (let i = 0; i < exact.length; i++) again.add(words[2 * i + 1]!, words[2 * i]!);
  if (again.registers.some((r, j) => r !== registers[j]))
    return { ok: false, field: 'hll', reason: 'the registers do not match the fingerprints' };
  return { ok: true, sketch: { states: sketch.states, exact, registers } };
}

export interface UnionCoverage {
  /** Distinct states reached by the union of the members. */
  states: number;
  exact: boolean;
  /** 0 when exact; else the estimate's relative standard error. */
  relativeError: number;
}

/** The distinct states of the union of the sketches (exact when every one kept its list). */
export function unionCoverage(sketches: readonly DecodedSketch[]): UnionCoverage {
  assert(sketches.length > 0, 'a union of at least one sketch');
  if (sketches.every((s) => s.exact !== null)) {
    const all = new BigUint64Array(sketches.reduce((n, s) => n + s.exact!.length, 0));
    let at = 0;
    for (const s of sketches) {
      all.set(s.exact!, at);
      at += s.exact!.length;
    }
    all.sort();
    let distinct = all.length > 0 ? 1 : 0;
    for (let i = 1; i < all.length; i++) if (all[i] !== all[i - 1]) distinct++;
    return { states: distinct, exact: true, relativeError: 0 };
  }
  const registers = new Uint8Array(HLL_REGISTERS);
  for (const s of sketches) {
    for (let j = 0; j < HLL_REGISTERS; j++)
      if (s.registers[j]! > registers[j]!) registers[j] = s.registers[j]!;
  }
  return { states: estimate(registers), exact: false, relativeError: HLL_RELATIVE_ERROR };
}

/** HyperLogLog's estimate, with linear counting while registers are still empty (small ranges). */
export function estimate(registers: Uint8Array): number {
  const m = registers.length;
  let sum = 0;
  let zeros = 0;
  for (let j = 0; j < m; j++) {
    sum += 2 ** -registers[j]!;
    if (registers[j] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / m);
  const raw = (alpha * m * m) / sum;
  // 64-bit fingerprints: no large-range correction is needed.
  return Math.round(raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw);
}
