// The writable 64-bit machine counters (minstret, mcycle) without BigInt: each is the hart's own
// count plus an offset, both as unsigned 32-bit halves. A guest write changes only the offset, so
// `Hart.instret` — the count that log entries, interrupt delivery and replay are stamped with —
// never moves backwards, and the primary and the secondary compute the same offset from the same
// instruction stream (the write is deterministic; mcycle's host reads go through the logged bus).

const TWO_POW_32 = 0x1_0000_0000;

/** A 64-bit value as unsigned halves; reused by callers so the CSR path does not allocate. */
export interface Halves {
  lo: number;
  hi: number;
}

/** `out = a + b (mod 2^64)`. */
export function add64(aLo: number, aHi: number, bLo: number, bHi: number, out: Halves): Halves {
  const lo = aLo + bLo;
  out.lo = lo >>> 0;
  out.hi = (aHi + bHi + (lo >= TWO_POW_32 ? 1 : 0)) >>> 0;
  return out;
}

/** `out = a - b (mod 2^64)`. */
export function sub64(aLo: number, aHi: number, bLo: number, bHi: number, out: Halves): Halves {
  out.lo = (aLo - bLo) >>> 0;
  out.hi = (aHi - bHi - (aLo >>> 0 < bLo >>> 0 ? 1 : 0)) >>> 0;
  return out;
}

/** Splits a safe non-negative integer (an instruction count) into halves. */
export function splitCount(count: number, out: Halves): Halves {
  out.lo = count >>> 0;
  out.hi = Math.floor(count / TWO_POW_32) >>> 0;
  return out;
}

/**
 * The offset that makes a counter read `target` one count after `now`: a write "is done instead
 * of the increment" (unprivileged spec, Zicntr), so the next instruction reads exactly `target`.
 */
export function offsetAfterWrite(
  targetLo: number,
  targetHi: number,
  nowLo: number,
  nowHi: number,
  out: Halves,
): Halves {
  const nextLo = (nowLo + 1) >>> 0;
  const nextHi = (nowHi + (nextLo === 0 ? 1 : 0)) >>> 0;
  return sub64(targetLo, targetHi, nextLo, nextHi, out);
}
