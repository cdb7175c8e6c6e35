import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RAM_BASE } from '../src/vm/api.ts';
import { ElfError, parseElf } from '../src/vm/elf.ts';
import { VirtualMachine } from '../src/vm/machine.ts';
import { makeElf } from './elf-build.ts';

const RAM = { ramBase: RAM_BASE, ramSizeBytes: 1 << 20 };
const crcElf = new Uint8Array(readFileSync(new URL('../guests/crc.elf', import.meta.url)));

const code = new Uint8Array([0x13, 0, 0, 0, 0x6f, 0, 0, 0]);

describe('ELF loader', () => {
  it('loads the crc guest: entry at the start of RAM, segments inside RAM', () => {
    const image = parseElf(crcElf, RAM);
    expect(image.entry).toBe(RAM_BASE);
    expect(image.segments.length).toBeGreaterThan(0);
    for (const s of image.segments) {
      expect(s.address).toBeGreaterThanOrEqual(RAM_BASE);
      expect(s.address + s.memSizeBytes).toBeLessThanOrEqual(RAM_BASE + RAM.ramSizeBytes);
    }
  });
  it('copies file bytes, zero-fills the rest and starts at the entry point', () => {
    const elf = makeElf(RAM_BASE + 0x100, [
      { address: RAM_BASE + 0x100, data: code },
      { address: RAM_BASE + 0x200, data: new Uint8Array([9, 8, 7]), memSize: 64 },
      { type: 4, address: 0, data: new Uint8Array(4) }, // PT_NOTE is ignored
    ]);
    const vm = VirtualMachine.fromElf(elf, { ramSize: 4096 });
    expect(vm.pc).toBe(RAM_BASE + 0x100);
    expect(Array.from(vm.readRam(RAM_BASE + 0x100, 8))).toEqual(Array.from(code));
    expect(Array.from(vm.readRam(RAM_BASE + 0x200, 5))).toEqual([9, 8, 7, 0, 0]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /shorter than an ELF32 header/],
    ['truncated header', crcElf.subarray(0, 40), /shorter than an ELF32 header/],
    [
      'bad magic',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code }], (v) => v.setUint8(1, 0x46)),
      /bad magic/,
    ],
    [
      '64-bit class',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code }], (v) => v.setUint8(4, 2)),
      /32-bit/,
    ],
    [
      'big-endian',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code }], (v) => v.setUint8(5, 2)),
      /little-endian/,
    ],
    [
      'x86 machine',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code }], (v) => v.setUint16(18, 3, true)),
      /RISC-V/,
    ],
    [
      'shared object',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code }], (v) => v.setUint16(16, 3, true)),
      /ET_EXEC/,
    ],
    ['no program headers', makeElf(RAM_BASE, []), /no program headers/],
    ['program headers past the end', crcElf.subarray(0, 60), /run past the end/],
    ['segment below RAM', makeElf(0x1000, [{ address: 0x1000, data: code }]), /outside RAM/],
    [
      'segment past RAM',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code, memSize: 2 << 20 }]),
      /outside RAM/,
    ],
    [
      'huge segment',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code, memSize: 0xffffffff }]),
      /outside RAM/,
    ],
    [
      'file bytes past the end',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code, offset: 0xfffffff0 }]),
      /past the end/,
    ],
    [
      'file size above memory size',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: code, memSize: 4 }]),
      /exceeds memory size/,
    ],
    [
      'overlapping segments',
      makeElf(RAM_BASE, [
        { address: RAM_BASE, data: code },
        { address: RAM_BASE + 4, data: code },
      ]),
      /overlap/,
    ],
    [
      'entry outside the segments',
      makeElf(RAM_BASE + 0x1000, [{ address: RAM_BASE, data: code }]),
      /entry point/,
    ],
    ['misaligned entry', makeElf(RAM_BASE + 2, [{ address: RAM_BASE, data: code }]), /aligned/],
    [
      'only empty segments',
      makeElf(RAM_BASE, [{ address: RAM_BASE, data: new Uint8Array(0) }]),
      /no PT_LOAD/,
    ],
  ];
  for (const [name, bytes, message] of bad) {
    it(`rejects ${name} with a clear ElfError`, () => {
      expect(() => parseElf(bytes, RAM)).toThrow(ElfError);
      expect(() => parseElf(bytes, RAM)).toThrow(message);
    });
  }

  /** Parsing either succeeds with a sane image or throws ElfError; nothing else. */
  function parsesOrElfError(bytes: Uint8Array): void {
    try {
      const image = parseElf(bytes, RAM);
      for (const s of image.segments) {
        expect(s.address + s.memSizeBytes).toBeLessThanOrEqual(RAM_BASE + RAM.ramSizeBytes);
        expect(s.data.length).toBeLessThanOrEqual(s.memSizeBytes);
      }
      VirtualMachine.fromElf(bytes, { ramSize: RAM.ramSizeBytes });
    } catch (error) {
      expect(error).toBeInstanceOf(ElfError);
    }
  }

  it('fuzz: random bytes never fail other than with ElfError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), parsesOrElfError), { numRuns: 500, seed: 11 });
  });
  it('fuzz: random bytes behind a valid ELF header never fail other than with ElfError', () => {
    const header = crcElf.subarray(0, 52);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        const bytes = new Uint8Array(52 + tail.length);
        bytes.set(header);
        bytes.set(tail, 52);
        parsesOrElfError(bytes);
      }),
      { numRuns: 500, seed: 12 },
    );
  });
  it('fuzz: mutated valid ELFs never fail other than with ElfError', () => {
    const small = makeElf(RAM_BASE, [
      { address: RAM_BASE, data: code },
      { address: RAM_BASE + 0x1000, data: new Uint8Array(16), memSize: 0x100 },
    ]);
    const mutation = fc.record({ at: fc.nat(small.length - 1), value: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        fc.nat(small.length),
        (mutations, cut) => {
          const bytes = small.slice(0, Math.max(cut, 1));
          for (const { at, value } of mutations) if (at < bytes.length) bytes[at] = value;
          parsesOrElfError(bytes);
        },
      ),
      { numRuns: 1000, seed: 13 },
    );
  });
  it('fuzz: mutated program headers of the crc guest never fail other than with ElfError', () => {
    const phoff = new DataView(crcElf.buffer, crcElf.byteOffset).getUint32(28, true);
    const mutation = fc.record({
      at: fc.integer({ min: 16, max: phoff + 96 }),
      value: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const bytes = crcElf.slice();
        for (const { at, value } of mutations) bytes[at] = value;
        parsesOrElfError(bytes);
      }),
      { numRuns: 300, seed: 14 },
    );
  });
});
