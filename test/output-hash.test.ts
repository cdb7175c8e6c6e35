// The output digest the output monitor compares repeats by: equal outputs hash alike wherever their
// bytes sit in memory, and outputs that differ in one byte or one request field never collide.
import { describe, expect, it } from 'vitest';
import { hashDiskRequest, hashOutputBytes } from '../src/cluster/output-hash.ts';

const sector = (fill: (i: number) => number) => Uint8Array.from({ length: 512 }, (_, i) => fill(i) & 0xff);

describe('output hash', () => {
  it('depends on the bytes, not on where they sit in memory', () => {
    const bytes = sector((i) => i * 7 + 3);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 1);
    expect(hashOutputBytes(shifted.subarray(1, 1 + bytes.length))).toBe(hashOutputBytes(bytes));
    expect(hashOutputBytes(Uint8Array.of(65))).toBe(hashOutputBytes(Uint8Array.of(65)));
  });

  it('changes with any single byte, and with the length', () => {
    const bytes = sector((i) => i);
    const base = hashOutputBytes(bytes);
    const seen = new Set([base]);
    for (let at = 0; at < bytes.length; at++) {
      const changed = bytes.slice();
      changed[at] ^= 0x80;
      seen.add(hashOutputBytes(changed));
    }
    expect(seen.size).toBe(bytes.length + 1);
    expect(hashOutputBytes(bytes.subarray(0, 511))).not.toBe(base);
    expect(hashOutputBytes(new Uint8Array(0))).not.toBe(hashOutputBytes(new Uint8Array(4)));
  });

  it('tells disk requests apart by operation, sector, count and data', () => {
    const data = sector((i) => i * 13);
    const write = { id: 1, op: 'write' as const, sector: 5, count: 1, data };
    const base = hashDiskRequest(write);
    expect(hashDiskRequest({ ...write, id: 2 })).toBe(base);
    expect(hashDiskRequest({ ...write, sector: 6 })).not.toBe(base);
    expect(hashDiskRequest({ ...write, count: 2 })).not.toBe(base);
    const other = data.slice();
    other[100] ^= 1;
    expect(hashDiskRequest({ ...write, data: other })).not.toBe(base);
    expect(hashDiskRequest({ id: 1, op: 'read', sector: 5, count: 1 })).not.toBe(
      hashDiskRequest({ id: 1, op: 'write', sector: 5, count: 1 }),
    );
  });
});
