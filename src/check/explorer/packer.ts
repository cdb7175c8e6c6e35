// Bit-packing of rows for the visited set: each field gets just the bits its codes need so far
// (none while it holds one value; fields never straddle a 32-bit word). Codes only grow, so when a
// field outgrows its bits `pack` says so, the packer widens and the stored rows are repacked
// (RowTable.relayout), with a bit of headroom: a logarithmic number of times per field. Pack and unpack are generated as
// straight-line code for the layout in force, once it has served a while (a search widens most
// fields in its first states, and compiling code for each short-lived layout costs more than it
// saves). The top bit of a row's last word is never used.

const bitsFor = (values: number) => (values <= 1 ? 0 : 32 - Math.clz32(values - 1));
/** Packs and unpacks in one layout before they are generated as straight-line code. */
const GENERATE_AFTER = 4096;

export class Packer {
  /** Per field: bits, word, shift. */
  bits: Uint8Array;
  word: Int32Array;
  shift: Uint8Array;
  words = 0;
  /**
   * Per field: (word << 10) | (shift << 5) | bits, for reading and writing fields in packed rows.
   * A new array per layout, so an array in hand tells which layout it describes.
   */
  desc: Int32Array;
  /** Counts the layouts (a new `desc` array each). */
  version = 0;
  pack!: (row: Int32Array, out: Int32Array, offset: number) => boolean;
  unpack!: (packed: Int32Array, offset: number, row: Int32Array) => void;
  /** Packs and unpacks in this layout so far (until they are generated). */
  private uses = 0;

  constructor(
    readonly fieldCount: number,
    domainSize: (field: number) => number,
    /** Fixed bits per field (a parallel search: every worker packs alike); widening is refused. */
    readonly fixed?: Uint8Array,
  ) {
    this.bits = new Uint8Array(fieldCount);
    this.word = new Int32Array(fieldCount);
    this.shift = new Uint8Array(fieldCount);
    this.desc = new Int32Array(fieldCount);
    for (let f = 0; f < fieldCount; f++) this.bits[f] = fixed ? fixed[f]! : bitsFor(domainSize(f));
    this.assign();
  }

  /** The bits a field needs for its domain now. */
  static bitsFor(values: number): number {
    return bitsFor(values);
  }

  /**
   * Widens every field that outgrew its bits, to one bit more than it needs now (just what it
   * needs when `saturated` says its domain is complete).
   */
  widen(domainSize: (field: number) => number, saturated?: (field: number) => boolean): void {
    if (this.fixed) {
      const fields: number[] = [];
      for (let f = 0; f < this.fieldCount; f++) if (bitsFor(domainSize(f)) > this.bits[f]!) fields.push(f);
      throw new PackingTooNarrowError(fields);
    }
    for (let f = 0; f < this.fieldCount; f++) {
      const needed = bitsFor(domainSize(f));
      if (needed > this.bits[f]!) this.bits[f] = saturated?.(f) ? needed : Math.min(31, needed + 1);
    }
    this.assign();
  }

  private assign(): void {
    this.version++;
    this.desc = new Int32Array(this.fieldCount);
    let word = 0;
    let used = 0;
    for (let f = 0; f < this.fieldCount; f++) {
      const b = this.bits[f]!;
      if (used + b > 32) {
        word++;
        used = 0;
      }
      this.word[f] = word;
      this.shift[f] = used;
      this.desc[f] = (word << 10) | (used << 5) | b;
      used += b;
    }
    // Bit 31 of the last word stays free: the visited set marks its used slots with it (rowTable.ts).
    this.words = used > 31 ? word + 2 : word + 1;
    this.uses = 0;
    this.pack = this.packLoop;
    this.unpack = this.unpackLoop;
  }

  /** `pack` through the descriptors, until the layout has served GENERATE_AFTER calls. */
  private readonly packLoop = (row: Int32Array, out: Int32Array, offset: number): boolean => {
    if (++this.uses === GENERATE_AFTER) this.generate();
    const desc = this.desc;
    for (let f = 0; f < desc.length; f++) if (row[f]! >>> (desc[f]! & 31) !== 0) return false;
    for (let w = 0; w < this.words; w++) out[offset + w] = 0;
    for (let f = 0; f < desc.length; f++) {
      const d = desc[f]!;
      out[offset + (d >>> 10)] |= row[f]! << ((d >>> 5) & 31);
    }
    return true;
  };

  private readonly unpackLoop = (packed: Int32Array, offset: number, row: Int32Array): void => {
    if (++this.uses === GENERATE_AFTER) this.generate();
    const desc = this.desc;
    for (let f = 0; f < desc.length; f++) row[f] = readPacked(packed, offset, desc[f]!);
  };

  private generate(): void {
    const packLines: string[] = [];
    const unpackLines: string[] = [];
    const byWord: string[][] = Array.from({ length: this.words }, () => []);
    const limits: string[] = [];
    for (let f = 0; f < this.fieldCount; f++) {
      const b = this.bits[f]!;
      const s = this.shift[f]!;
      if (b === 0) {
        limits.push(`r[${f}]`);
        unpackLines.push(`r[${f}] = 0;`);
        continue;
      }
      const mask = b >= 31 ? 0x7fffffff : (1 << b) - 1;
      limits.push(`(r[${f}] >>> ${b})`);
      byWord[this.word[f]!]!.push(s === 0 ? `r[${f}]` : `(r[${f}] << ${s})`);
      unpackLines.push(
        `r[${f}] = ${s === 0 ? `p[o + ${this.word[f]}]` : `(p[o + ${this.word[f]}] >>> ${s})`} & ${mask};`,
      );
    }
    packLines.push(`if (${limits.join(' | ') || '0'}) return false;`);
    byWord.forEach((parts, w) => {
      packLines.push(`out[offset + ${w}] = ${parts.join(' | ') || '0'};`);
    });
    packLines.push('return true;');
    // Strict arrow functions, like packLoop and unpackLoop: a field that changes the kind of
    // function it holds makes V8 throw away the optimised code that read it.
    const arrow = (params: string, body: string[]) =>
      new Function(`"use strict"; return (${params}) => {\n${body.join('\n')}\n};`)();
    this.pack = arrow('r, out, offset', packLines) as Packer['pack'];
    this.unpack = arrow('p, o, r', unpackLines) as Packer['unpack'];
  }
}

/** MASKS[b]: the low b bits. */
export const MASKS = Int32Array.from({ length: 32 }, (_, b) =>
  b === 0 ? 0 : b === 31 ? 0x7fffffff : (1 << b) - 1,
);

/** The code of a field in a packed row (desc from Packer.desc). */
export function readPacked(row: Int32Array, offset: number, desc: number): number {
  return (row[offset + (desc >>> 10)]! >>> ((desc >>> 5) & 31)) & MASKS[desc & 31]!;
}

/** Writes a field's code into a packed row; false when it does not fit the field's bits. */
export function writePacked(row: Int32Array, desc: number, code: number): boolean {
  const bits = desc & 31;
  if (code >>> bits !== 0) return false;
  const w = desc >>> 10;
  const shift = (desc >>> 5) & 31;
  row[w] = (row[w]! & ~(MASKS[bits]! << shift)) | (code << shift);
  return true;
}

/** A fixed packing (parallel search) met a code that does not fit: these fields need more bits. */
export class PackingTooNarrowError extends Error {
  override name = 'PackingTooNarrowError';
  constructor(readonly fields: number[]) {
    super(`the shared packing is too narrow for fields ${fields.join(', ')}`);
  }
}
