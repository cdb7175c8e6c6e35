// The trace digest's step: FNV-1a over the JSON text of one entry, `JSON.stringify([timeUs, kind,
// subject, detail])`, fed in character by character without building that text (the text was the
// recorder's main cost). Every string is hashed between quotes as it stands when it needs no JSON
// escape; anything else — an escaped character, a lone surrogate, a value that is not a primitive —
// falls back to hashing the real JSON, so the digest is the same number either way.
const FNV_PRIME = 0x01000193;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
/** Decimal digits of a safe integer (at most 16), last first. */
const digits = new Uint8Array(16);
const NOT_PLAIN = -1;

/** The FNV-1a state `hash` after the JSON text of the entry (and the entry terminator 0x0a). */
export function hashTraceEntry(
  hash: number,
  timeUs: number,
  kind: string,
  subject: string,
  detail: Readonly<Record<string, unknown>>,
): number {
  let h = Math.imul(hash ^ 0x5b, FNV_PRIME);
  h = Math.imul(hashNumber(h, timeUs) ^ COMMA, FNV_PRIME);
  h = hashPlainString(h, kind);
  if (h === NOT_PLAIN) return hashJson(hash, timeUs, kind, subject, detail);
  h = hashPlainString(Math.imul(h ^ COMMA, FNV_PRIME), subject);
  if (h === NOT_PLAIN) return hashJson(hash, timeUs, kind, subject, detail);
  // Only a plain object is walked here (JSON's own rules for arrays, class instances, toJSON).
  if (Object.getPrototypeOf(detail) !== Object.prototype)
    return hashJson(hash, timeUs, kind, subject, detail);
  h = Math.imul(Math.imul(h ^ COMMA, FNV_PRIME) ^ 0x7b, FNV_PRIME);
  let first = true;
  // for-in visits a plain object's own keys in JSON.stringify's order (integer keys first).
  for (const key in detail) {
    const value = detail[key];
    if (value === undefined) continue;
    if (!first) h = Math.imul(h ^ COMMA, FNV_PRIME);
    first = false;
    h = hashPlainString(h, key);
    if (h === NOT_PLAIN) return hashJson(hash, timeUs, kind, subject, detail);
    h = Math.imul(h ^ COLON, FNV_PRIME);
    if (typeof value === 'number') h = hashNumber(h, value);
    else if (typeof value === 'string') h = hashPlainString(h, value);
    else if (value === true) h = hashText(h, 'true');
    else if (value === false) h = hashText(h, 'false');
    else if (value === null) h = hashText(h, 'null');
    else h = NOT_PLAIN;
    if (h === NOT_PLAIN) return hashJson(hash, timeUs, kind, subject, detail);
  }
  h = Math.imul(Math.imul(h ^ 0x7d, FNV_PRIME) ^ 0x5d, FNV_PRIME);
  return (h ^ 0x0a) >>> 0;
}

/** `"text"` when the text needs no escape; NOT_PLAIN otherwise (an int32 hash is never -1 here: it is >>> 0). */
function hashPlainString(hash: number, text: string): number {
  let h = Math.imul(hash ^ QUOTE, FNV_PRIME);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === QUOTE || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return NOT_PLAIN;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return Math.imul(h ^ QUOTE, FNV_PRIME) >>> 0;
}

function hashText(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** JSON's text of a number: digits for a safe integer, else `String` (`null` when not finite). */
function hashNumber(hash: number, value: number): number {
  if (!Number.isSafeInteger(value)) return hashText(hash, Number.isFinite(value) ? String(value) : 'null');
  let h = hash;
  let rest = value;
  if (rest < 0) {
    h = Math.imul(h ^ 0x2d, FNV_PRIME);
    rest = -rest;
  }
  if (rest < 10) return Math.imul(h ^ (0x30 + rest), FNV_PRIME);
  // Digits from the last (% and the division by 10 of a multiple of 10 are exact), then in order.
  let count = 0;
  while (rest > 0x7fff_ffff) {
    const d = rest % 10;
    digits[count++] = d;
    rest = (rest - d) / 10;
  }
  // An int31 the rest of the way: integer division.
  while (rest > 0) {
    const quotient = (rest / 10) | 0;
    digits[count++] = rest - quotient * 10;
    rest = quotient;
  }
  while (count > 0) h = Math.imul(h ^ (0x30 + digits[--count]!), FNV_PRIME);
  return h;
}

function hashJson(hash: number, timeUs: number, kind: string, subject: string, detail: unknown): number {
  const json = JSON.stringify([timeUs, kind, subject, detail]);
  let h = hash;
  for (let i = 0; i < json.length; i++) h = Math.imul(h ^ json.charCodeAt(i), FNV_PRIME);
  return (h ^ 0x0a) >>> 0;
}
