// The visited set: packed int32 rows kept in index order (a state's index is its insertion order,
// which is its BFS order, so a search reads the rows it expands one after the other), and an
// open-addressing hash table over them (linear probing, load ≤ 1/2) whose slots hold the rows
// themselves: a probe touches one cache line and never a second array. A slot's last word is
// stored with bit 31 set (Packer leaves that bit of a row's last word free), so 0 marks an empty
// slot. Which state a slot holds is kept only when asked (`index`): a search needs the index of
// a state seen before only for the edges of temporal properties. `relayout` repacks every stored
// row when the packing widens.
import { assert } from '../../base/assert.ts';

/** Below this many slots the table grows four-fold (fewer rebuilds while it is small), then two-fold. */
const GROW_FOUR_FOLD_BELOW = 1 << 18;
/** Marks a slot's last word as occupied. */
const USED = 0x80000000 | 0;

export class RowTable {
  width: number;
  /** Rows in index order: state i at `i * width`. */
  rows: Int32Array;
  /** Slots of `width` words: the row, its last word with bit 31 set (0: empty). */
  slots: Int32Array;
  /** Per slot: the state index it holds (only when `indexed`). */
  private slotIndex: Int32Array | null = null;
  count = 0;
  private mask: number;
  lastWasNew = false;

  constructor(width: number, capacity = 1 << 12) {
    assert(width >= 1, 'a row has at least one word');
    this.width = width;
    this.slots = new Int32Array(capacity * 2 * width);
    this.mask = capacity * 2 - 1;
    this.rows = new Int32Array(capacity * width);
  }

  /** Keeps each slot's state index from now on, so `intern` gives the index of every row. */
  index(): void {
    if (this.slotIndex !== null) return;
    this.slotIndex = new Int32Array(this.mask + 1);
    this.rebuild(this.mask + 1);
  }

  offsetOf(index: number): number {
    return index * this.width;
  }

  /**
   * Returns the index of the row, inserting it when new; `lastWasNew` tells which happened. A row
   * stored before gives -1 unless the table keeps slot indices (`index`).
   */
  intern(source: Int32Array, offset: number): number {
    const width = this.width;
    const last = width - 1;
    const slots = this.slots;
    const mask = this.mask;
    const tail = source[offset + last]! | USED;
    let base = (hashRow(source, offset, width) & mask) * width;
    for (;;) {
      const word = slots[base + last]!;
      if (word === 0) break;
      if (word === tail) {
        let i = 0;
        while (i < last && slots[base + i] === source[offset + i]) i++;
        if (i === last) {
          this.lastWasNew = false;
          return this.slotIndex === null ? -1 : this.slotIndex[base / width]!;
        }
      }
      base += width;
      if (base === slots.length) base = 0;
    }
    const index = this.count++;
    for (let i = 0; i < last; i++) slots[base + i] = source[offset + i]!;
    slots[base + last] = tail;
    if (this.slotIndex !== null) this.slotIndex[base / width] = index;
    let rows = this.rows;
    const at = index * width;
    if (at + width > rows.length) {
      rows = new Int32Array(rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    for (let i = 0; i < width; i++) rows[at + i] = source[offset + i]!;
    this.lastWasNew = true;
    if (this.count * 2 > mask) this.rebuild((mask + 1) * (mask < GROW_FOUR_FOLD_BELOW ? 4 : 2));
    return index;
  }

  /** Rebuilds the slots (`capacity` of them) from the rows, in index order. */
  private rebuild(capacity: number): void {
    const width = this.width;
    const last = width - 1;
    const mask = capacity - 1;
    const rows = this.rows;
    const slots = new Int32Array(capacity * width);
    const slotIndex = this.slotIndex === null ? null : new Int32Array(capacity);
    for (let index = 0; index < this.count; index++) {
      const at = index * width;
      let slot = hashRow(rows, at, width) & mask;
      while (slots[slot * width + last] !== 0) slot = (slot + 1) & mask;
      const base = slot * width;
      for (let i = 0; i < last; i++) slots[base + i] = rows[at + i]!;
      slots[base + last] = rows[at + last]! | USED;
      if (slotIndex !== null) slotIndex[slot] = index;
    }
    this.slots = slots;
    this.slotIndex = slotIndex;
    this.mask = mask;
  }

  /** Rewrites every stored row into a new width (indices are kept) and rebuilds the slots. */
  relayout(
    width: number,
    repack: (from: Int32Array, fromOffset: number, to: Int32Array, toOffset: number) => void,
  ) {
    const old = this.rows;
    const oldWidth = this.width;
    const rows = new Int32Array(Math.max(1, old.length / oldWidth) * width);
    for (let index = 0; index < this.count; index++) repack(old, index * oldWidth, rows, index * width);
    this.rows = rows;
    this.width = width;
    this.rebuild(this.mask + 1);
  }

  byteLength(): number {
    return this.slots.byteLength + this.rows.byteLength + (this.slotIndex?.byteLength ?? 0);
  }

  /** Bytes per stored state: its slot at the current load plus its row. */
  bytesPerState(): number {
    return this.count === 0 ? 0 : this.byteLength() / this.count;
  }
}

/**
 * A multiply-xorshift hash of the row's words, with a murmur-style finish. 30 bits: a small
 * integer to V8, so returning it allocates nothing (a 32-bit result is boxed on every call).
 */
function hashRow(source: Int32Array, offset: number, width: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < width; i++) {
    h = Math.imul(h ^ source[offset + i]!, 0x01000193);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 2;
}
