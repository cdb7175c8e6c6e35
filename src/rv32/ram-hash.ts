// The RAM hash: the 32-bit sum over all words of mixWord(index, value). mixWord is a bijection of
// `value` for each index, so changing a single word always changes the hash; the xorshift between
// the multiplications keeps structured multi-word changes from cancelling.
//
// It is kept per page (`RAM_HASH_PAGE_BYTES`, 256: small, because between two reads a guest
// mostly writes a few scattered words — its stack, a buffer, a counter): a store only marks its
// page stale (one byte written), and reading the hash re-sums the stale pages. The sum is the same number however it
// is grouped (addition mod 2^32), so the hash does not depend on when it was read. Stores are
// frequent (byte loops) and reads rare (state digests at checkpoints), which is why this beats
// updating the sum on every store (two mixWord calls per store).

export const RAM_HASH_PAGE_SHIFT = 8;
export const RAM_HASH_PAGE_BYTES = 1 << RAM_HASH_PAGE_SHIFT;
const PAGE_WORDS = RAM_HASH_PAGE_BYTES >>> 2;

export function mixWord(index: number, value: number): number {
  let x = Math.imul(value ^ Math.imul(index, 0x9e3779b1), 0x85ebca6b);
  x ^= x >>> 13;
  return Math.imul(x, 0xc2b2ae35);
}

/** Full recomputation (the reference the paged hash is tested against). */
export function hashRam(ram32: Int32Array): number {
  let hash = 0;
  for (let i = 0; i < ram32.length; i++) hash = (hash + mixWord(i, ram32[i]!)) | 0;
  return hash;
}

function pageSum(ram32: Int32Array, page: number): number {
  const end = Math.min(ram32.length, (page + 1) * PAGE_WORDS);
  let sum = 0;
  for (let i = page * PAGE_WORDS; i < end; i++) sum = (sum + mixWord(i, ram32[i]!)) | 0;
  return sum;
}

/** Page sums of an all-zero RAM, per size in words (every hart starts from one). */
const zeroPages = new Map<number, { sums: Int32Array; total: number }>();

function zeroPageSums(words: number): { sums: Int32Array; total: number } {
  let known = zeroPages.get(words);
  if (known === undefined) {
    const zeros = new Int32Array(words);
    const sums = new Int32Array(Math.ceil(words / PAGE_WORDS));
    let total = 0;
    for (let page = 0; page < sums.length; page++) {
      sums[page] = pageSum(zeros, page);
      total = (total + sums[page]!) | 0;
    }
    known = { sums, total };
    zeroPages.set(words, known);
  }
  return known;
}

/** The hash of one RAM, kept per page; `stale[page] = 1` after any write into the page. */
export class PagedRamHash {
  /** One flag per page: 1 when the page was written since its sum was taken. */
  readonly stale: Uint8Array;
  /**
   * The same flags eight at a time, to skip clean stretches quickly (a group of 0/1 bytes read as
   * a double is 0 exactly when every flag is 0).
   */
  private readonly staleWords: Float64Array;
  private readonly sums: Int32Array;
  private total: number;

  /** For a RAM that is all zeros (a fresh ArrayBuffer). */
  constructor(private readonly ram32: Int32Array) {
    const zero = zeroPageSums(ram32.length);
    this.sums = zero.sums.slice();
    this.total = zero.total;
    const buffer = new ArrayBuffer(Math.ceil(this.sums.length / 8) * 8);
    this.stale = new Uint8Array(buffer, 0, this.sums.length);
    this.staleWords = new Float64Array(buffer);
  }

  /** The hash of the RAM as it is now. */
  value(): number {
    const staleWords = this.staleWords;
    const stale = this.stale;
    for (let i = 0; i < staleWords.length; i++) {
      if (staleWords[i] === 0) continue;
      // A group is stale when any of its eight pages is: re-sum only those (a page not written
      // since its sum was taken still has that sum).
      for (let page = i * 8; page < Math.min(i * 8 + 8, this.sums.length); page++) {
        if (stale[page] === 0) continue;
        const sum = pageSum(this.ram32, page);
        this.total = (this.total + sum - this.sums[page]!) | 0;
        this.sums[page] = sum;
      }
      staleWords[i] = 0;
    }
    return this.total;
  }

  /** Marks the pages of RAM bytes [offset, offset + lengthBytes) as written. */
  markWritten(offset: number, lengthBytes: number): void {
    if (lengthBytes <= 0) return;
    this.stale.fill(
      1,
      offset >>> RAM_HASH_PAGE_SHIFT,
      ((offset + lengthBytes - 1) >>> RAM_HASH_PAGE_SHIFT) + 1,
    );
  }
}
