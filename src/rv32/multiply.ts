// High halves of 32×32→64 products without BigInt: 16-bit limbs keep every partial product exact
// in a double. Inputs are int32; results are int32 (the bit pattern of the high word).

export function mulhu(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const carry = (((aLo * bLo) >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16;
  return (aHi * bHi + (lh >>> 16) + (hl >>> 16) + carry) | 0;
}

/** Signed × signed: the unsigned high word corrected for each negative operand. */
export function mulh(a: number, b: number): number {
  let high = mulhu(a, b);
  if (a < 0) high = (high - b) | 0;
  if (b < 0) high = (high - a) | 0;
  return high;
}

/** Signed `a` × unsigned `b`. */
export function mulhsu(a: number, b: number): number {
  const high = mulhu(a, b);
  return a < 0 ? (high - b) | 0 : high;
}
