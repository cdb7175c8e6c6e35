// The 32-bit digest of an output, which the output monitor compares when the world sees the same
// output index twice (a repeat must be identical). MurmurHash3's 32-bit mixing, a word at a time:
// every step is a bijection of the running hash, so two outputs of one length that differ in a
// single word always hash differently, and its rotations carry high-bit differences down (plain
// word-wise FNV lets two top-bit flips cancel). A quarter of the steps of byte-wise FNV on the
// 512-byte sectors most outputs carry; a disk request is hashed field by field, its data not
// copied behind a header.
import type { DiskRequest } from '../vm/api.ts';

const SEED = 0x811c9dc5;

function mixWord(hash: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  const h = hash ^ k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

function mixBytes(seed: number, bytes: Uint8Array): number {
  let h = seed;
  const length = bytes.length;
  const words = length >>> 2;
  if ((bytes.byteOffset & 3) === 0) {
    // Platform byte order: the digest is only ever compared within one process.
    const view = new Int32Array(bytes.buffer, bytes.byteOffset, words);
    for (let i = 0; i < words; i++) h = mixWord(h, view[i]!);
  } else {
    for (let i = 0; i < words; i++) {
      const at = i << 2;
      const word = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
      h = mixWord(h, word);
    }
  }
  let tail = 0;
  for (let i = length - 1; i >= words << 2; i--) tail = (tail << 8) | bytes[i]!;
  if ((length & 3) !== 0) h = mixWord(h, tail);
  return h ^ length;
}

function avalanche(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The digest of a console byte's or a packet's bytes. */
export function hashOutputBytes(bytes: Uint8Array): number {
  return avalanche(mixBytes(SEED, bytes));
}

/** The digest of a disk request: operation, sector, count and, for a write, its data. */
export function hashDiskRequest(request: DiskRequest): number {
  let h = mixWord(SEED, request.op === 'write' ? 2 : 1);
  h = mixWord(h, request.sector);
  h = mixWord(h, request.count);
  if (request.data !== undefined) h = mixBytes(h, request.data);
  return avalanche(h);
}
