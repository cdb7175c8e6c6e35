// A binary min-heap of pending events keyed by (time, sequence number). The sequence number is
// assigned at scheduling time, so two events at the same instant fire in the order they were
// scheduled — an explicit, deterministic tie-break rather than an accident of the heap layout.
import { assert } from '../base/assert.ts';

export class EventQueue<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns its sequence number. */
  push(time: number, item: T): number {
    assert(Number.isInteger(time) && time >= 0, 'event time must be a non-negative integer');
    const seq = this.nextSeq++;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    this.siftUp(this.items.length - 1);
    return seq;
  }

  peekTime(): number | undefined {
    return this.items.length === 0 ? undefined : this.times[0];
  }

  /** Removes and returns the earliest item (smallest time, then smallest sequence number). */
  pop(): T | undefined {
    const count = this.items.length;
    if (count === 0) return undefined;
    const top = this.items[0]!;
    const lastTime = this.times.pop()!;
    const lastSeq = this.seqs.pop()!;
    const lastItem = this.items.pop()!;
    if (count > 1) {
      this.times[0] = lastTime;
      this.seqs[0] = lastSeq;
      this.items[0] = lastItem;
      this.siftDown(0);
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    const ti = this.times[i]!;
    const tj = this.times[j]!;
    return ti < tj || (ti === tj && this.seqs[i]! < this.seqs[j]!);
  }

  private swap(i: number, j: number): void {
    const t = this.times[i]!;
    this.times[i] = this.times[j]!;
    this.times[j] = t;
    const s = this.seqs[i]!;
    this.seqs[i] = this.seqs[j]!;
    this.seqs[j] = s;
    const x = this.items[i]!;
    this.items[i] = this.items[j]!;
    this.items[j] = x;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const count = this.items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= count) return;
      const right = left + 1;
      const child = right < count && this.less(right, left) ? right : left;
      if (!this.less(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}
