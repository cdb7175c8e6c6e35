// A 64-bit fingerprint of a state that means the same in every search: it hashes the *values* of a
// row's fields (through the layout), never their codes, since codes are numbered in the order a
// search first met each value and so differ between searches (swarm members, shards on other
// machines). Under symmetry it hashes the state's orbit: each identity's slice (its fields and
// region words) is hashed, the identities are ordered by which value fields point at them and
// then by their slice's hash, fields that hold an identity hash its rank in that order, and the
// slices follow in that order. So two states that differ only by a renaming of identities get the
// same fingerprint whatever representative a search stored, and the swarm's members can count the
// union of what they reached. Two different states share a fingerprint with probability ~2^-64.
import { assert } from '../../base/assert.ts';
import type { CompiledMachine } from './compile.ts';
import { identitySlices, type SymmetrySpec } from './symmetry.ts';

const LANE_A_SEED = 0x9747b28c;
const LANE_B_SEED = 0x1b873593;
/** Marks a value field that holds an identity (its rank follows). */
const RANK_TAG = 0x5f3759df;
/** Value fields a fingerprint can tell apart by which identity they hold (bits of one int32). */
const VALUE_FIELDS_MAX = 31;

/** Murmur3's 32-bit finaliser. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** One murmur3 round: mixes `k` into `h`. */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** A 32-bit hash of a text, from `seed` (two seeds give two independent lanes). */
function hashText(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
  return fmix32(h ^ text.length);
}

/** Typed, so 1 and '1' and true differ. */
const valueText = (value: unknown) => `${typeof value}:${String(value)}`;

/** The identities of a symmetry, as row positions (see RowSymmetry). */
interface Orbit {
  n: number;
  span: number;
  /** positions[i * span + k]: the k-th row field of identity i. */
  positions: Int32Array;
  valueFields: Int32Array;
  /** idCodes[v * n + i]: the code of identity i in value field v. */
  idCodes: Int32Array;
  /** Fields owned by no identity and holding none: hashed in row order. */
  others: Int32Array;
  sliceA: Int32Array;
  sliceB: Int32Array;
  pointedBy: Int32Array;
  order: Int32Array;
  rank: Int32Array;
}

export class StateFingerprint {
  private readonly wordBase: number;
  private readonly width: number;
  /** Per context field: code → lane hashes of its value, filled on first use. */
  private readonly laneA: Int32Array[] = [];
  private readonly laneB: Int32Array[] = [];
  private readonly known: Uint8Array[] = [];
  private readonly orbit: Orbit | null;
  /** The last fingerprint: high and low 32 bits (unsigned). */
  hi = 0;
  lo = 0;

  constructor(
    private readonly machine: CompiledMachine,
    symmetry: SymmetrySpec | undefined,
  ) {
    this.wordBase = machine.wordBase;
    this.width = machine.width;
    for (let f = 0; f < this.wordBase; f++) {
      this.laneA.push(new Int32Array(8));
      this.laneB.push(new Int32Array(8));
      this.known.push(new Uint8Array(8));
    }
    this.orbit = symmetry ? this.orbitOf(symmetry) : null;
  }

  private orbitOf(spec: SymmetrySpec): Orbit {
    const m = this.machine;
    const { ids, perId, valueFields } = identitySlices(spec, m.layout, m.chart, m.wordBase);
    assert(valueFields.length <= VALUE_FIELDS_MAX, 'a symmetry has at most 31 value fields');
    const n = ids.length;
    const owned = new Set([...perId.flat(), ...valueFields]);
    const others: number[] = [];
    for (let f = 0; f < this.width; f++) if (!owned.has(f)) others.push(f);
    return {
      n,
      span: perId[0]!.length,
      positions: Int32Array.from(perId.flat()),
      valueFields: Int32Array.from(valueFields),
      idCodes: Int32Array.from(valueFields.flatMap((f) => ids.map((id) => m.layout.code(f, id)))),
      others: Int32Array.from(others),
      sliceA: new Int32Array(n),
      sliceB: new Int32Array(n),
      pointedBy: new Int32Array(n),
      order: new Int32Array(n),
      rank: new Int32Array(n),
    };
  }

  /** Fills the lane hashes of a context field's code (once per field and code). */
  private learn(field: number, code: number): void {
    assert(code >= 0, 'a code is non-negative');
    if (code >= this.known[field]!.length) {
      let size = this.known[field]!.length * 2;
      while (size <= code) size *= 2;
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T) => {
        const next = make(size);
        next.set(a);
        return next;
      };
      this.laneA[field] = grow(this.laneA[field]!, (s) => new Int32Array(s));
      this.laneB[field] = grow(this.laneB[field]!, (s) => new Int32Array(s));
      this.known[field] = grow(this.known[field]!, (s) => new Uint8Array(s));
    }
    const text = valueText(this.machine.layout.valueAt(field, code));
    this.laneA[field]![code] = hashText(text, LANE_A_SEED);
    this.laneB[field]![code] = hashText(text, LANE_B_SEED);
    this.known[field]![code] = 1;
  }

  /** Lane A of field `field` holding `code` (a context value's hash, or a region word itself). */
  private a(field: number, code: number): number {
    if (field >= this.wordBase) return code;
    if (this.known[field]![code] !== 1) this.learn(field, code);
    return this.laneA[field]![code]!;
  }

  private b(field: number, code: number): number {
    if (field >= this.wordBase) return code ^ RANK_TAG;
    if (this.known[field]![code] !== 1) this.learn(field, code);
    return this.laneB[field]![code]!;
  }

  /** The fingerprint of an unpacked canonical row, in `hi` and `lo`. */
  of(row: Int32Array): void {
    if (this.orbit) {
      this.ofOrbit(row, this.orbit);
      return;
    }
    let a = LANE_A_SEED;
    let b = LANE_B_SEED;
    for (let f = 0; f < this.width; f++) {
      const code = row[f]!;
      a = mix(a, this.a(f, code));
      b = mix(b, this.b(f, code));
    }
    this.hi = fmix32(a ^ this.width) >>> 0;
    this.lo = fmix32(b ^ this.width) >>> 0;
  }

  private ofOrbit(row: Int32Array, o: Orbit): void {
    const { n, span, positions, valueFields, idCodes } = o;
    for (let i = 0; i < n; i++) {
      let a = LANE_A_SEED;
      let b = LANE_B_SEED;
      for (let k = 0; k < span; k++) {
        const f = positions[i * span + k]!;
        a = mix(a, this.a(f, row[f]!));
        b = mix(b, this.b(f, row[f]!));
      }
      o.sliceA[i] = fmix32(a);
      o.sliceB[i] = fmix32(b);
      let bits = 0;
      for (let v = 0; v < valueFields.length; v++) {
        if (row[valueFields[v]!] === idCodes[v * n + i]) bits |= 1 << v;
      }
      o.pointedBy[i] = bits;
    }
    this.sortIdentities(o);
    let a = LANE_A_SEED;
    let b = LANE_B_SEED;
    for (let j = 0; j < o.others.length; j++) {
      const f = o.others[j]!;
      a = mix(a, this.a(f, row[f]!));
      b = mix(b, this.b(f, row[f]!));
    }
    for (let v = 0; v < valueFields.length; v++) {
      const f = valueFields[v]!;
      let held = -1;
      for (let i = 0; i < n && held < 0; i++) if (row[f] === idCodes[v * n + i]) held = i;
      a = mix(a, held < 0 ? this.a(f, row[f]!) : RANK_TAG + o.rank[held]!);
      b = mix(b, held < 0 ? this.b(f, row[f]!) : RANK_TAG + o.rank[held]!);
    }
    for (let s = 0; s < n; s++) {
      a = mix(a, o.sliceA[o.order[s]!]!);
      b = mix(b, o.sliceB[o.order[s]!]!);
    }
    this.hi = fmix32(a ^ this.width) >>> 0;
    this.lo = fmix32(b ^ this.width) >>> 0;
  }

  /**
   * Orders the identities by (value fields pointing at them, slice hashes): an order that depends
   * on values only. Ties are identities no value field tells apart with equal slices, so which
   * comes first changes nothing.
   */
  private sortIdentities(o: Orbit): void {
    const { n, order } = o;
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = 1; i < n; i++) {
      const id = order[i]!;
      let j = i - 1;
      while (j >= 0 && compareIds(o, order[j]!, id) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = id;
    }
    for (let s = 0; s < n; s++) o.rank[order[s]!] = s;
  }
}

function compareIds(o: Orbit, i: number, j: number): number {
  if (o.pointedBy[i] !== o.pointedBy[j]) return o.pointedBy[j]! - o.pointedBy[i]!;
  if (o.sliceA[i] !== o.sliceA[j]) return (o.sliceA[i]! >>> 0) - (o.sliceA[j]! >>> 0);
  return (o.sliceB[i]! >>> 0) - (o.sliceB[j]! >>> 0);
}
