// Decision tries: a pure function of a row, tabulated lazily. Each trie node reads one field and
// branches on its code; a leaf holds the function's result. On a miss the function itself runs
// once, on read-tracing views (tracer.ts), and its read sequence is inserted as a path: the next
// row that agrees on those fields gets the answer without calling it. So the machine's own guard
// and action implementations stay the meaning, and the hot loop is a few array reads per call.
// A function that reads differently on the same path, or answers differently, is not pure: that
// is reported as an error naming it, never silently tabulated.
import { ImpureFunctionError } from './errors.ts';
import { MASKS } from './packer.ts';

/**
 * A node: [field, capacity, the field's packed descriptor, children...]. The descriptor (Packer.desc)
 * saves `lookupPacked` a dependent read per level; it is rewritten when the packing changes.
 */
export const NODE_HEADER = 3;

export class Tries {
  /**
   * Node pool: 0 = missing entry, > 0 node offset, < 0 leaf: -(result + 1). Offset 0 is unused.
   * Sized so a small model's tries never grow it: each growth replaces the array the hot loop's
   * optimised code was specialised on, and that code is thrown away and rebuilt.
   */
  pool = new Int32Array(1 << 16);
  private top = 1;
  /** roots[t]: the root entry of trie t. */
  roots = new Int32Array(256);
  count = 0;
  /** Paths inserted so far: a conclusion drawn from a path not learnt yet holds until this changes. */
  inserts = 0;
  readonly labels: string[] = [];
  /** The packing (Packer.desc, a new array per layout) the nodes' descriptors are written for. */
  private packing: Int32Array | null = null;

  create(label: string): number {
    if (this.count === this.roots.length) {
      const next = new Int32Array(this.roots.length * 2);
      next.set(this.roots);
      this.roots = next;
    }
    this.labels.push(label);
    return this.count++;
  }

  /** The tabulated result for `row`, or -1 when this row's path is not known yet. */
  lookup(trie: number, row: Int32Array): number {
    const pool = this.pool;
    let n = this.roots[trie]!;
    while (n > 0) {
      const code = row[pool[n]!]!;
      n = code < pool[n + 1]! ? pool[n + NODE_HEADER + code]! : 0;
    }
    return n === 0 ? -1 : -n - 1;
  }

  /**
   * `lookup` on a packed row: fields are read through their descriptors (Packer.desc), so the
   * row is never unpacked. -1 when the path is not known yet.
   */
  lookupPacked(trie: number, row: Int32Array, offset: number, desc: Int32Array): number {
    if (desc !== this.packing) this.repack(desc);
    const pool = this.pool;
    let n = this.roots[trie]!;
    while (n > 0) {
      const d = pool[n + 2]!;
      const code = (row[offset + (d >>> 10)]! >>> ((d >>> 5) & 31)) & MASKS[d & 31]!;
      n = code < pool[n + 1]! ? pool[n + NODE_HEADER + code]! : 0;
    }
    return n === 0 ? -1 : -n - 1;
  }

  /**
   * Walks `trie` on a packed row reading only the fields `known` marks (1): 0 when the walk ends
   * in result 0 (so the trie answers 0 for every row that agrees on those fields), 1 when it
   * would read another field or ends in another result, -1 when it meets a path not learnt yet.
   */
  decidesZero(trie: number, row: Int32Array, offset: number, desc: Int32Array, known: Uint8Array): number {
    const pool = this.pool;
    let n = this.roots[trie]!;
    while (n > 0) {
      const field = pool[n]!;
      if (known[field] !== 1) return 1;
      const d = desc[field]!;
      const code = (row[offset + (d >>> 10)]! >>> ((d >>> 5) & 31)) & MASKS[d & 31]!;
      n = code < pool[n + 1]! ? pool[n + NODE_HEADER + code]! : 0;
    }
    if (n === 0) return -1;
    return n === -1 ? 0 : 1;
  }

  /**
   * `lookupPacked` that also records what it read: the (field, code) pairs of the fields not in
   * `skip` and not recorded in `reads` already (a step's combined trie, see CompiledMachine).
   */
  lookupPackedTraced(
    trie: number,
    row: Int32Array,
    offset: number,
    desc: Int32Array,
    reads: number[],
    skip: readonly number[],
  ): number {
    const pool = this.pool;
    let n = this.roots[trie]!;
    while (n > 0) {
      const field = pool[n]!;
      const d = desc[field]!;
      const code = (row[offset + (d >>> 10)]! >>> ((d >>> 5) & 31)) & MASKS[d & 31]!;
      if (!skip.includes(field) && !readsField(reads, field)) reads.push(field, code);
      n = code < pool[n + 1]! ? pool[n + NODE_HEADER + code]! : 0;
    }
    return n === 0 ? -1 : -n - 1;
  }

  /** Writes every node's descriptor for the packing `desc` (nodes lie end to end in the pool). */
  private repack(desc: Int32Array): void {
    const pool = this.pool;
    for (let n = 1; n < this.top; n += NODE_HEADER + pool[n + 1]!) pool[n + 2] = desc[pool[n]!]!;
    this.packing = desc;
  }

  private allocate(field: number, capacity: number): number {
    const size = NODE_HEADER + capacity;
    if (this.top + size > this.pool.length) {
      let length = this.pool.length * 2;
      while (this.top + size > length) length *= 2;
      const next = new Int32Array(length);
      next.set(this.pool.subarray(0, this.top));
      this.pool = next;
    }
    const n = this.top;
    this.top += size;
    this.pool[n] = field;
    this.pool[n + 1] = capacity;
    this.pool[n + 2] = this.packing === null ? 0 : this.packing[field]!;
    return n;
  }

  /** Inserts a traced call: `reads` holds field, code pairs; `result` ≥ 0. */
  insert(
    trie: number,
    reads: readonly number[],
    result: number,
    domainSize: (field: number) => number,
  ): void {
    this.inserts++;
    const leaf = -result - 1;
    let slot = -1; // where the current entry lives: -1 = the root
    let n = this.roots[trie]!;
    const set = (value: number) => {
      if (slot < 0) this.roots[trie] = value;
      else this.pool[slot] = value;
    };
    for (let i = 0; i < reads.length; i += 2) {
      const field = reads[i]!;
      const code = reads[i + 1]!;
      if (n === 0) {
        n = this.allocate(field, Math.max(domainSize(field), code + 1) + 2);
        set(n);
      } else if (n < 0 || this.pool[n] !== field) {
        throw new ImpureFunctionError(
          `${this.labels[trie]} is not a pure function of the state: it read a different field on a path it took before`,
        );
      }
      if (code >= this.pool[n + 1]!) {
        const capacity = Math.max(code + 1, this.pool[n + 1]! * 2);
        const grown = this.allocate(field, capacity);
        this.pool.copyWithin(grown + NODE_HEADER, n + NODE_HEADER, n + NODE_HEADER + this.pool[n + 1]!);
        n = grown;
        set(n);
      }
      slot = n + NODE_HEADER + code;
      n = this.pool[slot]!;
    }
    if (n === 0) set(leaf);
    else if (n !== leaf) {
      throw new ImpureFunctionError(
        `${this.labels[trie]} is not a pure function of the state: the same reads gave a different result`,
      );
    }
  }

  byteLength(): number {
    return this.pool.byteLength + this.roots.byteLength;
  }
}

function readsField(reads: readonly number[], field: number): boolean {
  for (let i = 0; i < reads.length; i += 2) if (reads[i] === field) return true;
  return false;
}
