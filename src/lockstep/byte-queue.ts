// A FIFO of bytes that remembers stream offsets: the log is one byte stream per lockstep
// engagement, and acknowledgements, segments and the Output Rule all speak in stream offsets.
// Storage is reused (compacted in place) and grows only when a burst exceeds it.
import { assert } from '../base/assert.ts';

export class ByteQueue {
  /** Backing store; valid bytes are `bytes[head..tail)`. Public for the codec's hot path. */
  bytes: Uint8Array;
  head = 0;
  tail = 0;
  /** Stream offset of `bytes[head]`. */
  headOffset: number;

  constructor(initialCapacityBytes = 4096, headOffset = 0) {
    assert(initialCapacityBytes > 0, 'ByteQueue capacity must be positive');
    this.bytes = new Uint8Array(initialCapacityBytes);
    this.headOffset = headOffset;
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** Stream offset just past the last byte held. */
  get tailOffset(): number {
    return this.headOffset + this.tail - this.head;
  }

  /** Makes room for `count` more bytes at `tail` (compacting first, growing if needed). */
  ensure(count: number): void {
    if (this.tail + count <= this.bytes.length) return;
    const held = this.tail - this.head;
    if (held + count <= this.bytes.length) {
      this.bytes.copyWithin(0, this.head, this.tail);
    } else {
      let capacity = this.bytes.length * 2;
      while (capacity < held + count) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(this.head, this.tail));
      this.bytes = grown;
    }
    this.head = 0;
    this.tail = held;
  }

  pushBytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.tail);
    this.tail += data.length;
  }

  /** Discards `count` bytes from the front. */
  drop(count: number): void {
    assert(count >= 0 && count <= this.length, 'ByteQueue.drop beyond the bytes held');
    this.head += count;
    this.headOffset += count;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    }
  }

  /** Discards everything before stream offset `offset` (no-op for offsets already dropped). */
  dropTo(offset: number): void {
    if (offset > this.headOffset) this.drop(Math.min(offset - this.headOffset, this.length));
  }

  /** A copy of the bytes between two stream offsets. */
  copyRange(fromOffset: number, toOffset: number): Uint8Array {
    assert(fromOffset >= this.headOffset, 'ByteQueue.copyRange starts before the bytes held');
    assert(toOffset <= this.tailOffset, 'ByteQueue.copyRange ends after the bytes held');
    const start = this.head + fromOffset - this.headOffset;
    return this.bytes.slice(start, start + toOffset - fromOffset);
  }
}
