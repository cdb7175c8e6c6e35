// The incremental RAM hash: the 32-bit sum over all words of mixWord(index, value). A store
// replaces one word, so the hash is updated as `hash + mix(new) - mix(old)` in O(1). mixWord is a
// bijection of `value` for each index, so changing a single word always changes the hash; the
// xorshift between the multiplications keeps structured multi-word changes from cancelling.

export function mixWord(index: number, value: number): number {
  let x = Math.imul(value ^ Math.imul(index, 0x9e3779b1), 0x85ebca6b);
  x ^= x >>> 13;
  return Math.imul(x, 0xc2b2ae35);
}

/** Full recomputation (used at construction and after restore, and by tests to cross-check). */
export function hashRam(ram32: Int32Array): number {
  let hash = 0;
  for (let i = 0; i < ram32.length; i++) hash = (hash + mixWord(i, ram32[i])) | 0;
  return hash;
}
