// The visited set of the fast path: states as packed int32 rows of fixed width, stored
// contiguously and indexed by an open-addressing hash table (linear probing, load ≤ 1/2).
// A state's index is its insertion order, which is also its BFS order.
import { assert } from '../../base/assert.ts';

export class RowTable {
  readonly width: number;
  rows: Int32Array;
  count = 0;
  private slots: Int32Array; // state index + 1, 0 = empty
  private mask: number;

  constructor(width: number, capacity = 1 << 16) {
    assert(width >= 1, 'a row has at least one word');
    this.width = width;
    this.rows = new Int32Array(capacity * width);
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
  }

  private hash(source: Int32Array, offset: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < this.width; i++) {
      h = Math.imul(h ^ source[offset + i]!, 0x01000193);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 0;
  }

  private equals(index: number, source: Int32Array, offset: number): boolean {
    const base = index * this.width;
    for (let i = 0; i < this.width; i++) if (this.rows[base + i] !== source[offset + i]) return false;
    return true;
  }

  /** Returns the index of the row, inserting it when new; `isNew()` tells which happened. */
  intern(source: Int32Array, offset: number): number {
    let slot = this.hash(source, offset) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      if (this.equals(entry - 1, source, offset)) {
        this.lastWasNew = false;
        return entry - 1;
      }
      slot = (slot + 1) & this.mask;
    }
    const index = this.count++;
    if (this.count * this.width > this.rows.length) this.growRows();
    this.rows.set(source.subarray(offset, offset + this.width), index * this.width);
    this.slots[slot] = index + 1;
    this.lastWasNew = true;
    if (this.count * 2 > this.mask) this.rehash();
    return index;
  }

  lastWasNew = false;

  private growRows(): void {
    const next = new Int32Array(this.rows.length * 2);
    next.set(this.rows);
    this.rows = next;
  }

  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = this.hash(this.rows, index * this.width) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = index + 1;
    }
  }

  byteLength(): number {
    return this.rows.byteLength + this.slots.byteLength;
  }
}
