// Random straight-line programs of every register/immediate ALU and M instruction, run on the
// hart and on a tiny reference evaluator written from the spec; the register files must agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUS_FAULT, type Bus } from '../src/rv32/bus.ts';
import { Hart, Stop } from '../src/rv32/hart.ts';
import { iType, rType, uType } from './rv32-asm.ts';

const RAM = 0x8000_0000;
const s32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const u64 = (v: number) => BigInt(v >>> 0);
const i64 = (v: number) => BigInt(v | 0);

type Reference = (a: number, b: number) => number;
const R_OPS: [number, number, number, Reference][] = [
  [0, 0, 0, (a, b) => (a + b) | 0],
  [0, 0x20, 0, (a, b) => (a - b) | 0],
  [1, 0, 0, (a, b) => a << (b & 31)],
  [2, 0, 0, (a, b) => (a < b ? 1 : 0)],
  [3, 0, 0, (a, b) => (a >>> 0 < b >>> 0 ? 1 : 0)],
  [4, 0, 0, (a, b) => a ^ b],
  [5, 0, 0, (a, b) => (a >>> (b & 31)) | 0],
  [5, 0x20, 0, (a, b) => a >> (b & 31)],
  [6, 0, 0, (a, b) => a | b],
  [7, 0, 0, (a, b) => a & b],
  [0, 1, 0, (a, b) => s32(i64(a) * i64(b))],
  [1, 1, 0, (a, b) => s32((i64(a) * i64(b)) >> 32n)],
  [2, 1, 0, (a, b) => s32((i64(a) * u64(b)) >> 32n)],
  [3, 1, 0, (a, b) => s32((u64(a) * u64(b)) >> 32n)],
  [4, 1, 0, (a, b) => (b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : s32(i64(a) / i64(b)))],
  [5, 1, 0, (a, b) => (b === 0 ? -1 : s32(u64(a) / u64(b)))],
  [6, 1, 0, (a, b) => (b === 0 ? a : b === -1 ? 0 : s32(i64(a) % i64(b)))],
  [7, 1, 0, (a, b) => (b === 0 ? a : s32(u64(a) % u64(b)))],
];
const I_OPS: [number, (a: number, imm: number) => number][] = [
  [0, (a, imm) => (a + imm) | 0],
  [2, (a, imm) => (a < imm ? 1 : 0)],
  [3, (a, imm) => (a >>> 0 < imm >>> 0 ? 1 : 0)],
  [4, (a, imm) => a ^ imm],
  [6, (a, imm) => a | imm],
  [7, (a, imm) => a & imm],
];

const instruction = fc.oneof(
  fc.record({
    kind: fc.constant('r' as const),
    op: fc.nat(R_OPS.length - 1),
    rd: fc.nat(31),
    rs1: fc.nat(31),
    rs2: fc.nat(31),
  }),
  fc.record({
    kind: fc.constant('i' as const),
    op: fc.nat(I_OPS.length - 1),
    rd: fc.nat(31),
    rs1: fc.nat(31),
    imm: fc.integer({ min: -2048, max: 2047 }),
  }),
  fc.record({
    kind: fc.constant('shift' as const),
    f3: fc.constantFrom(1, 5),
    arith: fc.boolean(),
    rd: fc.nat(31),
    rs1: fc.nat(31),
    shamt: fc.nat(31),
  }),
  fc.record({ kind: fc.constant('lui' as const), rd: fc.nat(31), imm20: fc.nat(0xfffff) }),
  fc.record({ kind: fc.constant('auipc' as const), rd: fc.nat(31), imm20: fc.nat(0xfffff) }),
);
type Instruction = typeof instruction extends fc.Arbitrary<infer T> ? T : never;

function encode(insn: Instruction): number {
  switch (insn.kind) {
    case 'r': {
      const [f3, f7] = R_OPS[insn.op]!;
      return rType(0x33, insn.rd, f3, insn.rs1, insn.rs2, f7);
    }
    case 'i':
      return iType(0x13, insn.rd, I_OPS[insn.op]![0], insn.rs1, insn.imm);
    case 'shift':
      return iType(0x13, insn.rd, insn.f3, insn.rs1, insn.shamt | (insn.f3 === 5 && insn.arith ? 0x400 : 0));
    case 'lui':
      return uType(0x37, insn.rd, insn.imm20);
    case 'auipc':
      return uType(0x17, insn.rd, insn.imm20);
  }
}

function reference(program: Instruction[], initial: number[]): number[] {
  const x = [0, ...initial.slice(1)];
  program.forEach((insn, index) => {
    const pc = RAM + 4 * index;
    let value: number;
    switch (insn.kind) {
      case 'r':
        value = R_OPS[insn.op]![3](x[insn.rs1]!, x[insn.rs2]!);
        break;
      case 'i':
        value = I_OPS[insn.op]![1](x[insn.rs1]!, insn.imm);
        break;
      case 'shift': {
        const a = x[insn.rs1]!;
        value = insn.f3 === 1 ? a << insn.shamt : insn.arith ? a >> insn.shamt : (a >>> insn.shamt) | 0;
        break;
      }
      case 'lui':
        value = (insn.imm20 << 12) | 0;
        break;
      case 'auipc':
        value = (pc + (insn.imm20 << 12)) | 0;
        break;
    }
    if (insn.rd !== 0) x[insn.rd] = value;
  });
  return x;
}

const noBus: Bus = { load: () => BUS_FAULT, store: () => false, readCounter: () => 0 };

describe('differential: hart vs a reference evaluator', () => {
  it('agrees on random ALU/M programs and random register contents', () => {
    fc.assert(
      fc.property(
        fc.array(instruction, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.array(
          fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(0, 1, -1, -0x80000000)),
          {
            minLength: 32,
            maxLength: 32,
          },
        ),
        (program, initial) => {
          const hart = new Hart({ ramBase: RAM, ramSizeBytes: 4096, bus: noBus });
          const words = new Uint8Array(program.length * 4);
          const view = new DataView(words.buffer);
          program.forEach((insn, i) => {
            view.setUint32(i * 4, encode(insn), true);
          });
          hart.writeRam(RAM, words);
          hart.pc = RAM;
          for (let r = 1; r < 32; r++) hart.regs[r] = initial[r]!;
          expect(hart.run(program.length)).toBe(Stop.Limit);
          expect(Array.from(hart.regs)).toEqual(reference(program, initial));
          expect(hart.pc).toBe(RAM + 4 * program.length);
        },
      ),
      { numRuns: 400, seed: 2024 },
    );
  });
});
