// The visited set: packed int32 rows stored inline in an open-addressing hash table (linear
// probing, load ≤ 1/2), each slot [index + 1, row words...], so a probe touches one cache line;
// `slotOf` maps a state's index (its insertion order, which is its BFS order) to its slot.
// `relayout` repacks every stored row when the packing widens.
import { assert } from '../../base/assert.ts';

/** Below this many slots the table grows four-fold (fewer rebuilds while it is small), then two-fold. */
const GROW_FOUR_FOLD_BELOW = 1 << 18;

export class RowTable {
  width: number;
  /** Slots of `width + 1` words: state index + 1 (0 = empty), then the row. */
  slots: Int32Array;
  /** slotOf[index]: the word offset of the state's row in `slots` (after its index word). */
  slotOf: Int32Array;
  count = 0;
  private mask: number;
  private stride: number;
  lastWasNew = false;

  constructor(width: number, capacity = 1 << 12) {
    assert(width >= 1, 'a row has at least one word');
    this.width = width;
    this.stride = width + 1;
    this.slots = new Int32Array(capacity * 2 * this.stride);
    this.mask = capacity * 2 - 1;
    this.slotOf = new Int32Array(capacity);
  }

  /** The array and offset holding state `index`'s row. */
  get rows(): Int32Array {
    return this.slots;
  }

  offsetOf(index: number): number {
    return this.slotOf[index]!;
  }

  hashOf(source: Int32Array, offset: number): number {
    return hashRow(source, offset, this.width);
  }

  private matches(base: number, source: Int32Array, offset: number): boolean {
    const slots = this.slots;
    for (let i = 0; i < this.width; i++) if (slots[base + 1 + i] !== source[offset + i]) return false;
    return true;
  }

  /** The index of the row, or -1 when it is not stored. */
  find(source: Int32Array, offset: number): number {
    let slot = this.hashOf(source, offset) & this.mask;
    for (;;) {
      const base = slot * this.stride;
      const entry = this.slots[base]!;
      if (entry === 0) return -1;
      if (this.matches(base, source, offset)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Returns the index of the row, inserting it when new; `lastWasNew` tells which happened. */
  intern(source: Int32Array, offset: number): number {
    const width = this.width;
    const stride = this.stride;
    const slots = this.slots;
    const mask = this.mask;
    let slot = hashRow(source, offset, width) & mask;
    for (;;) {
      const base = slot * stride;
      const entry = slots[base]!;
      if (entry === 0) break;
      let i = 0;
      while (i < width && slots[base + 1 + i] === source[offset + i]) i++;
      if (i === width) {
        this.lastWasNew = false;
        return entry - 1;
      }
      slot = (slot + 1) & mask;
    }
    const index = this.count++;
    const base = slot * stride;
    slots[base] = index + 1;
    for (let i = 0; i < width; i++) slots[base + 1 + i] = source[offset + i]!;
    if (index === this.slotOf.length) {
      const next = new Int32Array(this.slotOf.length * 2);
      next.set(this.slotOf);
      this.slotOf = next;
    }
    this.slotOf[index] = base + 1;
    this.lastWasNew = true;
    if (this.count * 2 > mask) this.grow((mask + 1) * (mask < GROW_FOUR_FOLD_BELOW ? 4 : 2));
    return index;
  }

  /**
   * Moves every row into a table of `capacity` slots, reading the old slots in order: the row of
   * slot s lands near s + k · old capacity, so reads and writes both stream.
   */
  private grow(capacity: number): void {
    const old = this.slots;
    const width = this.width;
    const stride = this.stride;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity * stride);
    const slotOf = new Int32Array(Math.max(this.slotOf.length, capacity / 2));
    for (let from = 0; from < old.length; from += stride) {
      const entry = old[from]!;
      if (entry === 0) continue;
      let slot = hashRow(old, from + 1, width) & mask;
      while (slots[slot * stride] !== 0) slot = (slot + 1) & mask;
      const to = slot * stride;
      slots[to] = entry;
      for (let i = 1; i <= width; i++) slots[to + i] = old[from + i]!;
      slotOf[entry - 1] = to + 1;
    }
    this.slots = slots;
    this.slotOf = slotOf;
    this.mask = mask;
  }

  /**
   * Repacks every row into `width` words in a table of `capacity` slots, reading the old slots in
   * order, or the rows in index order when most slots are empty (a relayout early in a search).
   */
  private rebuild(
    width: number,
    capacity: number,
    repack: (from: Int32Array, fromOffset: number, to: Int32Array, toOffset: number) => void,
  ): void {
    const old = this.slots;
    const oldStride = this.stride;
    const oldSlotOf = this.slotOf;
    const oldLength = oldSlotOf.length;
    const stride = width + 1;
    const row = new Int32Array(width);
    this.width = width;
    this.stride = stride;
    this.mask = capacity - 1;
    const slots = (this.slots = new Int32Array(capacity * stride));
    const slotOf = (this.slotOf = new Int32Array(Math.max(oldLength, capacity / 2)));
    const mask = this.mask;
    const place = (index: number) => {
      let slot = this.hashOf(row, 0) & mask;
      while (slots[slot * stride] !== 0) slot = (slot + 1) & mask;
      const base = slot * stride;
      slots[base] = index + 1;
      for (let i = 0; i < width; i++) slots[base + 1 + i] = row[i]!;
      slotOf[index] = base + 1;
    };
    const move = (base: number) => {
      repack(old, base + 1, row, 0);
      place(old[base]! - 1);
    };
    if (this.count * 8 < capacity) {
      for (let index = 0; index < this.count; index++) move(oldSlotOf[index]! - 1);
      return;
    }
    for (let base = 0; base < old.length; base += oldStride) if (old[base]! !== 0) move(base);
  }

  /** Rewrites every stored row into a new width (indices are kept) and rebuilds the index. */
  relayout(
    width: number,
    repack: (from: Int32Array, fromOffset: number, to: Int32Array, toOffset: number) => void,
  ) {
    this.rebuild(width, this.mask + 1, repack);
  }

  byteLength(): number {
    return this.slots.byteLength + this.slotOf.byteLength;
  }

  /** Bytes per stored state: its slot at the current load plus its index entry. */
  bytesPerState(): number {
    return this.count === 0 ? 0 : this.byteLength() / this.count;
  }
}

/** FNV-1a over the row's words, with a murmur-style finish; unsigned. */
function hashRow(source: Int32Array, offset: number, width: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < width; i++) {
    h = Math.imul(h ^ source[offset + i]!, 0x01000193);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
