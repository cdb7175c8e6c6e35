// The RAM hash kept by pages (src/rv32/ram-hash.ts) always equals the full recomputation, however
// RAM was written (stores, DMA, restore) and whenever it is read; and restoring an image re-hashes
// and reports only the pages that differ.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bus } from '../src/rv32/bus.ts';
import { Hart } from '../src/rv32/hart.ts';
import { hashRam, RAM_HASH_PAGE_BYTES } from '../src/rv32/ram-hash.ts';

const RAM = 0x8000_0000;
const SIZE = 16 * 1024 + 12; // not a whole number of pages: the last page is 12 bytes
const bus: Bus = { load: () => 0, store: () => false, readCounter: () => 0 };

const write = fc.record({
  offset: fc.nat({ max: SIZE - 1 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
  readAfter: fc.boolean(),
});

describe('paged RAM hash', () => {
  it('equals the full recomputation after any writes, read at any time', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 20 }), (writes) => {
        const hart = new Hart({ ramBase: RAM, ramSizeBytes: SIZE, bus });
        expect(hart.ramHash).toBe(hashRam(hart.ram32));
        for (const { offset, bytes, readAfter } of writes) {
          const data = bytes.subarray(0, SIZE - offset);
          hart.writeRam(RAM + offset, data);
          if (readAfter) expect(hart.ramHash).toBe(hashRam(hart.ram32));
        }
        expect(hart.ramHash).toBe(hashRam(hart.ram32));
      }),
      { seed: 5, numRuns: 60 },
    );
  });

  it('a restore copies, re-hashes and reports only the pages that differ', () => {
    const hart = new Hart({ ramBase: RAM, ramSizeBytes: SIZE, bus });
    hart.writeRam(RAM + 100, new Uint8Array([1, 2, 3]));
    const image = hart.ram8.slice();
    image[3 * RAM_HASH_PAGE_BYTES + 5] = 9;
    image[SIZE - 1] = 7;
    const reported: [number, number][] = [];
    hart.ramWriteObserver = (offset, length) => reported.push([offset, length]);
    hart.loadRamImage(image);
    expect(reported).toEqual([
      [3 * RAM_HASH_PAGE_BYTES, RAM_HASH_PAGE_BYTES],
      [SIZE - 12, 12],
    ]);
    expect(hart.ram8).toEqual(image);
    expect(hart.ramHash).toBe(hashRam(hart.ram32));
  });
});
