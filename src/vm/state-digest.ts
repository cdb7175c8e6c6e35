// The state digest: pc, instret, registers, CSRs, the incrementally maintained RAM hash, device
// state and the exit flag, folded into 64 bits (two independent 32-bit lanes) and printed as hex.
// Cheap to compute on demand: O(registers + device fields), never a pass over RAM.
import type { DeviceState } from './devices/device.ts';

export class DigestBuilder {
  private a = 0x243f6a88;
  private b = 0x85a308d3;

  add(value: number): this {
    const low = value | 0;
    this.mix(low);
    // An int32 or uint32 (registers, CSRs, most fields) has a high word of -1 or 0: nothing more.
    if (low === value || value >>> 0 === value) return this;
    const high = Math.floor(value / 0x1_0000_0000) | 0;
    if (high !== 0 && high !== -1) this.mix(high);
    return this;
  }

  addString(text: string): this {
    for (let i = 0; i < text.length; i++) this.mix(text.charCodeAt(i));
    return this.mix(text.length);
  }

  addDevice(state: DeviceState): this {
    // for-in visits a plain state object's own keys in Object.keys order, without the array.
    for (const key in state) {
      const value = state[key]!;
      this.addString(key);
      if (typeof value === 'number') this.add(value);
      else if (typeof value === 'boolean') this.mix(value ? 1 : 0);
      else this.addString(value);
    }
    return this;
  }

  hex(): string {
    return hex32(fmix(this.a ^ Math.imul(this.b, 0x9e3779b1))) + hex32(fmix(this.b + this.a));
  }

  private mix(word: number): this {
    this.a = Math.imul(rotl(this.a ^ Math.imul(word, 0xcc9e2d51), 15), 0x1b873593) + 0xe6546b64;
    this.b = Math.imul(rotl(this.b + Math.imul(word ^ 0x5bd1e995, 0x85ebca6b), 13), 5) + 0x561ccd1b;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two hex digits per byte value: a digest is printed with four lookups, not toString + padStart. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** An unsigned 32-bit value as eight hex digits. */
function hex32(value: number): string {
  return (
    HEX_BYTES[value >>> 24]! +
    HEX_BYTES[(value >>> 16) & 255]! +
    HEX_BYTES[(value >>> 8) & 255]! +
    HEX_BYTES[value & 255]!
  );
}
