import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUS_FAULT, type Bus, type Counter } from '../src/rv32/bus.ts';
import { Cause, Csr, MIP_MEIP, MIP_MSIP, MIP_MTIP, MISA_VALUE } from '../src/rv32/csr.ts';
import { Hart, Stop } from '../src/rv32/hart.ts';
import { hashRam } from '../src/rv32/ram-hash.ts';
import { Asm, Reg } from './rv32-asm.ts';

const { zero, ra, sp, t0, t1, t2, a0, a1, a2, a3, s0, s1, t6 } = Reg;
const RAM = 0x8000_0000;
const RAM_SIZE = 64 * 1024;
const EXIT = 0x0010_0000;
/** A read/write MMIO word for tests. */
const MMIO = 0x2000_0000;
const HANDLER = RAM + 0x1000;
const DATA = RAM + 0x2000;

/** Minimal bus: an exit register, one MMIO word, counters answering `counterValue + instret`. */
class TestBus implements Bus {
  hart!: Hart;
  mmioWord = 0x1234_5678;
  stores: { address: number; size: number; value: number; instret: number }[] = [];
  counterReads: { counter: Counter; instret: number }[] = [];
  load(address: number, size: 1 | 2 | 4): number {
    if (address === MMIO && size === 4) return this.mmioWord >>> 0;
    return BUS_FAULT;
  }
  store(address: number, size: 1 | 2 | 4, value: number, instret: number): boolean {
    if (address === EXIT) {
      this.hart.requestExit();
      return true;
    }
    if (address !== MMIO) return false;
    this.stores.push({ address, size, value, instret });
    this.mmioWord = value;
    return true;
  }
  readCounter(counter: Counter, instret: number): number {
    this.counterReads.push({ counter, instret });
    return (0x1000 * (counter + 1) + instret) >>> 0;
  }
}

function boot(build: (asm: Asm) => void): { hart: Hart; bus: TestBus; asm: Asm } {
  const bus = new TestBus();
  const hart = new Hart({ ramBase: RAM, ramSizeBytes: RAM_SIZE, bus });
  bus.hart = hart;
  const asm = new Asm(RAM);
  build(asm);
  hart.writeRam(RAM, asm.assemble());
  hart.pc = RAM;
  return { hart, bus, asm };
}

function exit(asm: Asm): Asm {
  return asm.li(t6, EXIT).sw(zero, 0, t6);
}

/** Runs a program to the exit device and returns the hart. */
function runProgram(build: (asm: Asm) => void, limit = 100_000): Hart {
  const { hart } = boot(build);
  expect(hart.run(limit)).toBe(Stop.Exit);
  return hart;
}

/** A handler at HANDLER that records mcause/mepc/mtval in s0..s1/a3 and skips the instruction. */
function withSkipHandler(asm: Asm, body: (asm: Asm) => void): void {
  asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0);
  body(asm);
  exit(asm);
  while (asm.here < HANDLER) asm.nop();
  asm
    .csrrs(s0, Csr.mcause, zero)
    .csrrs(s1, Csr.mepc, zero)
    .csrrs(a3, Csr.mtval, zero)
    .addi(t1, s1, 4)
    .csrrw(zero, Csr.mepc, t1)
    .mret();
}

function binary(op: (asm: Asm, rd: number, x: number, y: number) => Asm, x: number, y: number): number {
  return runProgram((asm) => exit(op(asm.li(a0, x).li(a1, y), a2, a0, a1))).regs[a2]!;
}

const INT_MIN = -0x8000_0000;

describe('RV32I register-register', () => {
  const cases: [string, (asm: Asm, rd: number, x: number, y: number) => Asm, number, number, number][] = [
    ['add', (s, d, x, y) => s.add(d, x, y), 0x7fffffff, 1, INT_MIN],
    ['sub', (s, d, x, y) => s.sub(d, x, y), INT_MIN, 1, 0x7fffffff],
    ['sll', (s, d, x, y) => s.sll(d, x, y), 1, 31, INT_MIN],
    ['sll uses the low 5 bits', (s, d, x, y) => s.sll(d, x, y), 1, 33, 2],
    ['slt', (s, d, x, y) => s.slt(d, x, y), -1, 0, 1],
    ['slt false', (s, d, x, y) => s.slt(d, x, y), 0, -1, 0],
    ['sltu', (s, d, x, y) => s.sltu(d, x, y), 0, -1, 1],
    ['sltu false', (s, d, x, y) => s.sltu(d, x, y), -1, 0, 0],
    ['xor', (s, d, x, y) => s.xor(d, x, y), 0xff00ff00 | 0, 0x0ff00ff0, 0xf0f0f0f0 | 0],
    ['srl', (s, d, x, y) => s.srl(d, x, y), INT_MIN, 31, 1],
    ['sra', (s, d, x, y) => s.sra(d, x, y), INT_MIN, 31, -1],
    ['sra positive', (s, d, x, y) => s.sra(d, x, y), 0x40000000, 30, 1],
    ['or', (s, d, x, y) => s.or(d, x, y), 0xf0, 0x0f, 0xff],
    ['and', (s, d, x, y) => s.and(d, x, y), 0xf0f0, 0xff00, 0xf000],
  ];
  for (const [name, op, x, y, expected] of cases) {
    it(`${name}(${x}, ${y}) = ${expected}`, () => expect(binary(op, x, y)).toBe(expected));
  }
});

describe('RV32M', () => {
  const cases: [string, (asm: Asm, rd: number, x: number, y: number) => Asm, number, number, number][] = [
    [
      'mul',
      (s, d, x, y) => s.mul(d, x, y),
      0x12345678,
      0x9abcdef0 | 0,
      Number(BigInt.asIntN(32, 0x12345678n * 0x9abcdef0n)),
    ],
    ['mulh', (s, d, x, y) => s.mulh(d, x, y), INT_MIN, INT_MIN, 0x40000000],
    ['mulh -1*-1', (s, d, x, y) => s.mulh(d, x, y), -1, -1, 0],
    ['mulhsu', (s, d, x, y) => s.mulhsu(d, x, y), -1, -1, -1],
    ['mulhu', (s, d, x, y) => s.mulhu(d, x, y), -1, -1, -2],
    ['div', (s, d, x, y) => s.div(d, x, y), -7, 2, -3],
    ['div by zero', (s, d, x, y) => s.div(d, x, y), 5, 0, -1],
    ['div overflow', (s, d, x, y) => s.div(d, x, y), INT_MIN, -1, INT_MIN],
    ['divu', (s, d, x, y) => s.divu(d, x, y), -1, 2, 0x7fffffff],
    ['divu by zero', (s, d, x, y) => s.divu(d, x, y), 5, 0, -1],
    ['rem', (s, d, x, y) => s.rem(d, x, y), -7, 2, -1],
    ['rem by zero', (s, d, x, y) => s.rem(d, x, y), -7, 0, -7],
    ['rem overflow', (s, d, x, y) => s.rem(d, x, y), INT_MIN, -1, 0],
    ['rem of a multiple is +0', (s, d, x, y) => s.rem(d, x, y), -4, 2, 0],
    ['remu', (s, d, x, y) => s.remu(d, x, y), -1, 10, 5],
    ['remu by zero', (s, d, x, y) => s.remu(d, x, y), -7, 0, -7],
  ];
  for (const [name, op, x, y, expected] of cases) {
    it(`${name}(${x}, ${y}) = ${expected}`, () => expect(binary(op, x, y)).toBe(expected));
  }

  it('all eight agree with a BigInt reference on random operands', () => {
    const s32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    const u = (v: number) => BigInt(v >>> 0);
    const i = (v: number) => BigInt(v | 0);
    const interesting = fc.oneof(
      fc.integer({ min: INT_MIN, max: 0x7fffffff }),
      fc.constantFrom(0, 1, -1, INT_MIN, 0x7fffffff),
    );
    fc.assert(
      fc.property(interesting, interesting, (x, y) => {
        const hart = runProgram((asm) =>
          exit(
            asm
              .li(a0, x)
              .li(a1, y)
              .mul(2, a0, a1)
              .mulh(3, a0, a1)
              .mulhsu(4, a0, a1)
              .mulhu(5, a0, a1)
              .div(6, a0, a1)
              .divu(7, a0, a1)
              .rem(8, a0, a1)
              .remu(9, a0, a1),
          ),
        );
        const r = Array.from(hart.regs);
        expect(r[2]).toBe(s32(i(x) * i(y)));
        expect(r[3]).toBe(s32((i(x) * i(y)) >> 32n));
        expect(r[4]).toBe(s32((i(x) * u(y)) >> 32n));
        expect(r[5]).toBe(s32((u(x) * u(y)) >> 32n));
        if (y !== 0 && !(x === INT_MIN && y === -1)) {
          expect(r[6]).toBe(s32(i(x) / i(y)));
          expect(r[8]).toBe(s32(i(x) % i(y)));
        }
        if (y !== 0) {
          expect(r[7]).toBe(s32(u(x) / u(y)));
          expect(r[9]).toBe(s32(u(x) % u(y)));
        }
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe('RV32I immediates', () => {
  const run1 = (build: (asm: Asm) => Asm) => runProgram((asm) => exit(build(asm))).regs[a2]!;
  it('addi sign-extends its immediate', () => expect(run1((s) => s.li(a0, 10).addi(a2, a0, -11))).toBe(-1));
  it('slti / sltiu compare with the sign-extended immediate', () => {
    expect(run1((s) => s.li(a0, -5).slti(a2, a0, -4))).toBe(1);
    expect(run1((s) => s.li(a0, 5).sltiu(a2, a0, -1))).toBe(1); // -1 is 0xffffffff unsigned
    expect(run1((s) => s.li(a0, -1).sltiu(a2, a0, 1))).toBe(0);
  });
  it('xori/ori/andi with negative immediates', () => {
    expect(run1((s) => s.li(a0, 0x0f0).xori(a2, a0, -1))).toBe(~0x0f0);
    expect(run1((s) => s.li(a0, 0).ori(a2, a0, -2048))).toBe(-2048);
    expect(run1((s) => s.li(a0, -1).andi(a2, a0, 0x7ff))).toBe(0x7ff);
  });
  it('slli / srli / srai by 31', () => {
    expect(run1((s) => s.li(a0, 3).slli(a2, a0, 31))).toBe(INT_MIN);
    expect(run1((s) => s.li(a0, INT_MIN).srli(a2, a0, 31))).toBe(1);
    expect(run1((s) => s.li(a0, INT_MIN).srai(a2, a0, 31))).toBe(-1);
    expect(run1((s) => s.li(a0, 0x7fffffff).srai(a2, a0, 0))).toBe(0x7fffffff);
  });
  it('lui loads the upper 20 bits; auipc adds them to pc', () => {
    expect(run1((s) => s.lui(a2, 0xfffff))).toBe(0xfffff000 | 0);
    const hart = runProgram((asm) => exit(asm.nop().auipc(a2, 1)));
    expect(hart.regs[a2]! >>> 0).toBe(RAM + 4 + 0x1000);
  });
  it('writes to x0 are ignored', () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .addi(zero, zero, 5)
          .lui(zero, 1)
          .li(a0, DATA)
          .sw(a0, 0, a0)
          .lw(zero, 0, a0)
          .jal(zero, 4)
          .add(a2, zero, zero),
      ),
    );
    expect(hart.regs[0]).toBe(0);
    expect(hart.regs[a2]).toBe(0);
  });
  it('shift-immediate encodings with bit 25 set are illegal on RV32', () => {
    const hart = runProgram((asm) => withSkipHandler(asm, (b) => b.word(0x02051513))); // slli a0,a0,32
    expect(hart.regs[s0]).toBe(Cause.illegalInstruction);
  });
});

describe('loads and stores', () => {
  const memProgram = (body: (asm: Asm) => Asm) => runProgram((asm) => exit(body(asm.li(a0, DATA))));
  it('sign- and zero-extend bytes and halves', () => {
    const hart = memProgram((s) =>
      s
        .li(t0, 0x8081_f0ff)
        .sw(t0, 0, a0)
        .lb(2, 0, a0)
        .lbu(3, 0, a0)
        .lh(4, 2, a0)
        .lhu(5, 2, a0)
        .lw(6, 0, a0)
        .lb(7, 1, a0),
    );
    expect([2, 3, 4, 5, 6, 7].map((r) => hart.regs[r])).toEqual([
      -1,
      0xff,
      0x8081 - 0x10000,
      0x8081,
      0x8081f0ff | 0,
      -16,
    ]);
  });
  it('sb / sh write only their bytes', () => {
    const hart = memProgram((s) =>
      s.li(t0, -1).sw(t0, 0, a0).li(t1, 0x1234).sh(t1, 0, a0).sb(zero, 3, a0).lw(a2, 0, a0),
    );
    expect(hart.regs[a2]! >>> 0).toBe(0x00ff1234);
  });
  it('negative offsets address below the base', () => {
    const hart = memProgram((s) => s.li(t0, 77).sw(t0, -4, a0).addi(a1, a0, -4).lw(a2, 0, a1));
    expect(hart.regs[a2]).toBe(77);
  });
  it('misaligned loads and stores are performed bytewise', () => {
    const hart = memProgram((s) =>
      s
        .li(t0, 0x44332211)
        .sw(t0, 1, a0) // bytes 1..4
        .lw(2, 1, a0)
        .lh(3, 3, a0) // 0x4433
        .lhu(4, 1, a0)
        .li(t1, 0xbeef)
        .sh(t1, 5, a0)
        .lw(5, 4, a0)
        .lh(6, 5, a0),
    );
    expect(hart.regs[2]! >>> 0).toBe(0x44332211);
    expect(hart.regs[3]).toBe(0x4433);
    expect(hart.regs[4]).toBe(0x2211);
    expect(hart.regs[5]).toBe(0x00beef44);
    expect(hart.regs[6]).toBe(0xbeef - 0x10000);
  });
  it('the RAM hash follows every kind of store', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constantFrom(0, 1, 2), offset: fc.nat(63), value: fc.integer() }), {
          maxLength: 20,
        }),
        (stores) => {
          const hart = runProgram((asm) => {
            asm.li(a0, DATA);
            for (const { kind, offset, value } of stores) {
              asm.li(t0, value);
              if (kind === 0) asm.sb(t0, offset, a0);
              else if (kind === 1) asm.sh(t0, offset, a0);
              else asm.sw(t0, offset, a0);
            }
            exit(asm);
          });
          expect(hart.ramHash).toBe(hashRam(hart.ram32));
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
  it('MMIO loads and stores go through the bus with the instret of the instruction', () => {
    const { hart, bus } = boot((asm) =>
      exit(asm.li(a0, MMIO).lw(a2, 0, a0).li(t0, 99).sw(t0, 0, a0).lw(a3, 0, a0)),
    );
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[a2]).toBe(0x12345678);
    expect(hart.regs[a3]).toBe(99);
    expect(bus.stores).toEqual([{ address: MMIO, size: 4, value: 99, instret: 5 }]);
  });
});

describe('control transfer', () => {
  const branches: [keyof Asm & ('beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu'), number, number, boolean][] =
    [
      ['beq', 3, 3, true],
      ['beq', 3, 4, false],
      ['bne', 3, 4, true],
      ['bne', 3, 3, false],
      ['blt', -1, 0, true],
      ['blt', 0, -1, false],
      ['bge', 0, -1, true],
      ['bge', -1, 0, false],
      ['bge', 5, 5, true],
      ['bltu', 0, -1, true],
      ['bltu', -1, 0, false],
      ['bgeu', -1, 0, true],
      ['bgeu', 0, -1, false],
      ['bgeu', 5, 5, true],
    ];
  for (const [name, x, y, taken] of branches) {
    it(`${name} ${x}, ${y} is ${taken ? 'taken' : 'not taken'}`, () => {
      const hart = runProgram((asm) => {
        asm.li(a0, x).li(a1, y).li(a2, 0);
        (asm[name] as (p: number, q: number, t: string) => Asm).call(asm, a0, a1, 'skip');
        asm.li(a2, 1).label('skip');
        exit(asm);
      });
      expect(hart.regs[a2]).toBe(taken ? 0 : 1);
    });
  }
  it('a backward branch loops exactly n times', () => {
    const hart = runProgram((asm) =>
      exit(asm.li(a0, 0).li(a1, 100).label('loop').addi(a0, a0, 1).blt(a0, a1, 'loop')),
    );
    expect(hart.regs[a0]).toBe(100);
    expect(hart.instret).toBe(4 + 200 + 3);
  });
  it('jal links pc+4; jalr jumps to (rs1 + imm) & ~1 and links', () => {
    const { hart, asm } = boot((asm) => {
      asm.jal(ra, 'f').li(a2, 1);
      exit(asm);
      asm.label('f').la(t0, 'g').jalr(t1, t0, 1); // +1: bit 0 is cleared
      asm.label('g').mv(a3, t1).jalr(zero, ra, 0);
    });
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[ra]! >>> 0).toBe(RAM + 4);
    expect(hart.regs[a2]).toBe(1);
    expect(hart.regs[a3]! >>> 0).toBe(asm.address('g'));
  });
  it('jalr reads rs1 before writing rd when they are the same register', () => {
    const hart = runProgram((asm) => {
      asm.la(t0, 'target').jalr(t0, t0, 0).li(a2, 1);
      asm.label('target');
      exit(asm);
    });
    expect(hart.regs[a2]).toBe(0);
    expect(hart.regs[t0]! >>> 0).toBe(RAM + 12);
  });
  it('jumps and branches to a misaligned target raise a misaligned-fetch trap on the jump', () => {
    for (const jump of [
      (b: Asm) => b.jal(ra, 6),
      (b: Asm) => b.li(a0, RAM + 2).jalr(ra, a0, 0),
      (b: Asm) => b.beq(zero, zero, 10),
    ]) {
      let jumpPc = 0;
      const hart = runProgram((asm) =>
        withSkipHandler(asm, (b) => {
          b.li(ra, 0);
          if (jump === undefined) return;
          const before = b.words.length;
          jump(b);
          jumpPc = b.origin + (b.words.length - 1) * 4;
          expect(b.words.length).toBeGreaterThan(before);
        }),
      );
      expect(hart.regs[s0]).toBe(Cause.misalignedFetch);
      expect(hart.regs[s1]! >>> 0).toBe(jumpPc);
      expect(hart.regs[a3]! & 3).toBe(2);
      expect(hart.regs[ra]).toBe(0); // the jump did not link
    }
  });
});

describe('fence and self-modifying code', () => {
  it('fence is a no-op and fence.i makes a just-written instruction visible', () => {
    const hart = runProgram((asm) => {
      asm.fence().la(a0, 'patch').li(t0, 0x02a00613); // addi a2, zero, 42
      asm.sw(t0, 0, a0).fenceI();
      asm.label('patch').addi(a2, zero, 1);
      exit(asm);
    });
    expect(hart.regs[a2]).toBe(42);
  });
  it('a loop that rewrites its own body executes the new instruction on the next pass', () => {
    const hart = runProgram((asm) => {
      asm.li(a1, 0).la(a0, 'body').li(t0, 0x00a60613); // addi a2, a2, 10
      asm.label('body').addi(a2, a2, 1).addi(a1, a1, 1).sw(t0, 0, a0).fenceI();
      asm.li(t1, 3).blt(a1, t1, 'body');
      exit(asm);
    });
    expect(hart.regs[a2]).toBe(1 + 10 + 10);
  });
});

describe('CSRs', () => {
  it('csrrw / csrrs / csrrc and their immediate forms', () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .li(t0, 0xf0)
          .csrrw(a0, Csr.mscratch, t0) // old 0
          .li(t1, 0x0f)
          .csrrs(a1, Csr.mscratch, t1) // old 0xf0 -> 0xff
          .li(t2, 0x3c)
          .csrrc(a2, Csr.mscratch, t2) // old 0xff -> 0xc3
          .csrrwi(a3, Csr.mscratch, 5) // old 0xc3 -> 5
          .csrrsi(2, Csr.mscratch, 0x18) // old 5 -> 0x1d
          .csrrci(3, Csr.mscratch, 1) // old 0x1d -> 0x1c
          .csrrs(4, Csr.mscratch, zero),
      ),
    );
    expect([a0, a1, a2, a3, 2, 3, 4].map((r) => hart.regs[r])).toEqual([0, 0xf0, 0xff, 0xc3, 5, 0x1d, 0x1c]);
  });
  it('misa, mhartid and mstatus.MPP read as machine-mode RV32IM', () => {
    const hart = runProgram((asm) =>
      exit(asm.csrrs(a0, Csr.misa, zero).csrrs(a1, Csr.mhartid, zero).csrrs(a2, Csr.mstatus, zero)),
    );
    expect(hart.regs[a0]).toBe(MISA_VALUE);
    expect(hart.regs[a1]).toBe(0);
    expect(hart.regs[a2]).toBe(3 << 11);
  });
  it('time and cycle go to the bus with the instret of the reading instruction; instret is exact', () => {
    const { hart, bus } = boot((asm) =>
      exit(
        asm
          .nop()
          .csrrs(a0, Csr.time, zero)
          .csrrs(a1, Csr.timeh, zero)
          .csrrs(a2, Csr.cycle, zero)
          .csrrs(a3, Csr.cycleh, zero)
          .csrrs(s0, Csr.instret, zero)
          .csrrs(s1, Csr.instreth, zero),
      ),
    );
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(bus.counterReads).toEqual([
      { counter: 0, instret: 1 },
      { counter: 1, instret: 2 },
      { counter: 2, instret: 3 },
      { counter: 3, instret: 4 },
    ]);
    expect([a0, a1, a2, a3, s0, s1].map((r) => hart.regs[r])).toEqual([0x1001, 0x2002, 0x3003, 0x4004, 5, 0]);
  });
  it('unknown CSRs and writes to read-only CSRs are illegal instructions', () => {
    for (const bad of [
      (b: Asm) => b.csrrs(a0, 0x7c0, zero),
      (b: Asm) => b.csrrw(a0, Csr.mhartid, t0),
      (b: Asm) => b.csrrw(a0, Csr.mvendorid, t0),
      (b: Asm) => b.csrrsi(a0, Csr.marchid, 1),
      (b: Asm) => b.csrrci(a0, Csr.mimpid, 1),
      (b: Asm) => b.csrrw(zero, Csr.instret, t0), // the user shadow is read-only; minstret is not
      (b: Asm) => b.csrrs(a0, 0x320, zero), // mcountinhibit is not implemented
      (b: Asm) => b.csrrsi(a0, Csr.cycle, 1),
      (b: Asm) => b.csrrw(zero, Csr.time, zero),
      (b: Asm) => b.csrrs(a0, 0x3a0, zero), // pmpcfg0 does not exist here
    ]) {
      const hart = runProgram((asm) => withSkipHandler(asm, bad));
      expect(hart.regs[s0]).toBe(Cause.illegalInstruction);
      expect(hart.regs[a3]! >>> 0).toBe(
        hart.readRam(hart.regs[s1]! >>> 0, 4).reduce((v, b, i) => v + b * 256 ** i, 0),
      );
    }
  });
  it('mvendorid, marchid and mimpid read 0 (a non-commercial implementation)', () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .li(a0, 7)
          .li(a1, 7)
          .li(a2, 7)
          .csrrs(a0, Csr.mvendorid, zero)
          .csrrs(a1, Csr.marchid, zero)
          .csrrs(a2, Csr.mimpid, zero),
      ),
    );
    expect([a0, a1, a2].map((r) => hart.regs[r])).toEqual([0, 0, 0]);
  });
  it('mip bits are read-only to the guest; mie keeps only MSIE/MTIE/MEIE', () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .li(t0, -1)
          .csrrw(zero, Csr.mip, t0)
          .csrrw(zero, Csr.mie, t0)
          .csrrs(a0, Csr.mip, zero)
          .csrrs(a1, Csr.mie, zero),
      ),
    );
    expect(hart.regs[a0]).toBe(0);
    expect(hart.regs[a1]).toBe(MIP_MSIP | MIP_MTIP | MIP_MEIP);
  });
});

describe('machine counters (minstret, mcycle)', () => {
  it("a minstret write is what the next instruction reads: it replaces that instruction's increment", () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .li(t0, 1000) // counts 0, 1
          .csrrw(a0, Csr.minstret, t0) // 2: reads the old value 2
          .csrrs(a1, Csr.minstret, zero) // 3: 1000
          .csrrs(a2, Csr.instret, zero) // 4: the user shadow, 1001
          .csrrs(a3, Csr.minstreth, zero), // 5: 0
      ),
    );
    expect([a0, a1, a2, a3].map((r) => hart.regs[r])).toEqual([2, 1000, 1001, 0]);
    // The hart's own count, which replay and interrupt delivery are stamped with, is untouched.
    expect(hart.instret).toBe(9);
  });
  it('minstret carries into minstreth; a minstreth write keeps the low half', () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .li(t0, -1) // 0, 1
          .csrrw(zero, Csr.minstret, t0) // 2: count 3 reads 0xffffffff
          .csrrs(a0, Csr.minstreth, zero) // 3: 0
          .csrrs(a1, Csr.minstret, zero) // 4: 0x1_0000_0000 -> low 0
          .csrrs(a2, Csr.minstreth, zero) // 5: 1
          .li(t1, 7) // 6, 7
          .csrrw(a3, Csr.minstreth, t1) // 8: reads 1; count 9 reads {7, 4}
          .csrrs(s0, Csr.minstret, zero) // 9: 4
          .csrrs(s1, Csr.minstreth, zero), // 10: 7
      ),
    );
    expect([a0, a1, a2, a3, s0, s1].map((r) => hart.regs[r])).toEqual([0, 0, 1, 1, 4, 7]);
  });
  it('csrrs / csrrc on minstret modify the value prior to the instruction', () => {
    const hart = runProgram((asm) =>
      exit(
        asm
          .nop() // 0
          .csrrsi(a0, Csr.minstret, 0x10) // 1: old 1, writes 0x11
          .csrrs(a1, Csr.minstret, zero) // 2: 0x11
          .csrrci(a2, Csr.minstret, 1) // 3: old 0x12, writes 0x12
          .csrrs(a3, Csr.minstret, zero), // 4: 0x12
      ),
    );
    expect([a0, a1, a2, a3].map((r) => hart.regs[r])).toEqual([1, 0x11, 0x12, 0x12]);
  });
  it('mcycle: a write reads the host counter once (both halves), then counts on from the value written', () => {
    const HOST_BASE = 0x1_ffff_fff0; // host cycles = HOST_BASE + instret (64-bit)
    const { hart, bus } = boot((asm) =>
      exit(
        asm
          .nop() // 0
          .csrrs(a0, Csr.mcycle, zero) // 1: never written: one bus read, as before
          .li(t0, 500) // 2, 3
          .csrrw(a1, Csr.mcycle, t0) // 4: reads both halves; count 5 reads {1, 500}
          .csrrs(a2, Csr.cycle, zero) // 5: 500
          .csrrs(a3, Csr.mcycleh, zero) // 6: 1 (needs the low half for the carry)
          .li(t1, 9) // 7, 8
          .csrrw(s0, Csr.mcycleh, t1) // 9: reads 1; count 10 reads {9, 504}
          .csrrs(s1, Csr.cycle, zero) // 10: 504
          .csrrs(t2, Csr.cycleh, zero), // 11: 9
      ),
    );
    bus.readCounter = (counter, instret) => {
      bus.counterReads.push({ counter, instret });
      const host = HOST_BASE + instret;
      return (counter === 2 ? host : Math.floor(host / 2 ** 32)) >>> 0;
    };
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect([a0, a1, a2, a3, s0, s1, t2].map((r) => hart.regs[r]! >>> 0)).toEqual([
      0xfffffff1, 0xfffffff4, 500, 1, 1, 504, 9,
    ]);
    expect(bus.counterReads.map((r) => `${r.counter}@${r.instret}`)).toEqual([
      '2@1',
      '2@4',
      '3@4',
      '2@5',
      '2@6',
      '3@6',
      '2@9',
      '3@9',
      '2@10',
      '2@11',
      '3@11',
    ]);
  });
  it('the counter offsets are hart state: saved and restored with the other CSRs', () => {
    const hart = runProgram((asm) => exit(asm.li(t0, 77).csrrw(zero, Csr.minstret, t0)));
    const state = hart.getCsrState();
    expect(state.minstretOffsetLo).not.toBe(0);
    const other = runProgram((asm) => exit(asm.nop().nop().nop()));
    other.setCsrState(state);
    expect(other.getCsrState()).toEqual(state);
  });
});

describe('synchronous traps', () => {
  it('ecall: mcause 11, mepc at the ecall, mtval 0, mret returns past it', () => {
    const hart = runProgram((asm) => withSkipHandler(asm, (b) => b.li(a3, 9).ecall().li(a0, 1)));
    expect(hart.regs[s0]).toBe(Cause.ecallM);
    expect(hart.regs[s1]! >>> 0).toBe(RAM + 20);
    expect(hart.regs[a3]).toBe(0);
    expect(hart.regs[a0]).toBe(1);
  });
  it('ebreak: mcause 3, mepc = the ebreak, mtval 0 (as QEMU)', () => {
    const hart = runProgram((asm) => withSkipHandler(asm, (b) => b.ebreak()));
    expect(hart.regs[s0]).toBe(Cause.breakpoint);
    expect(hart.regs[s1]! >>> 0).toBe(RAM + 12);
    expect(hart.regs[a3]).toBe(0);
  });
  it('illegal instructions: mcause 2, mtval = the instruction bits', () => {
    for (const insn of [
      0x00000000,
      0xffffffff,
      0x0000700b,
      0x4000_0033 | (1 << 12),
      0x0000_3003,
      0x0000_2063,
      0x0000_1067,
      0x0000_3023,
      0x0000_200f,
      0x1050_0273,
    ]) {
      const hart = runProgram((asm) => withSkipHandler(asm, (b) => b.word(insn)));
      expect(hart.regs[s0], `0x${insn.toString(16)}`).toBe(Cause.illegalInstruction);
      expect(hart.regs[a3]! >>> 0).toBe(insn >>> 0);
    }
  });
  it('loads and stores outside memory fault with mtval = address', () => {
    const load = runProgram((asm) => withSkipHandler(asm, (b) => b.li(a0, 0x4000_0000).lw(a1, 4, a0)));
    expect(load.regs[s0]).toBe(Cause.loadAccess);
    expect(load.regs[a3]! >>> 0).toBe(0x4000_0004);
    const store = runProgram((asm) =>
      withSkipHandler(asm, (b) => b.li(a0, RAM + RAM_SIZE - 2).sw(a1, 0, a0)),
    );
    expect(store.regs[s0]).toBe(Cause.storeAccess);
    expect(store.regs[a3]! >>> 0).toBe(RAM + RAM_SIZE - 2);
    const byte = runProgram((asm) => withSkipHandler(asm, (b) => b.li(a0, 0x10).lbu(a1, 0, a0)));
    expect(byte.regs[s0]).toBe(Cause.loadAccess);
  });
  it('fetching outside memory is an access fault with mepc = mtval = the address', () => {
    const { hart } = boot((asm) => {
      asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0).li(a0, 0x4000_0000).jalr(zero, a0, 0);
      while (asm.here < HANDLER) asm.nop();
      asm.csrrs(s0, Csr.mcause, zero).csrrs(s1, Csr.mepc, zero).csrrs(a3, Csr.mtval, zero);
      exit(asm);
    });
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[s0]).toBe(Cause.fetchAccess);
    expect(hart.regs[s1]! >>> 0).toBe(0x4000_0000);
    expect(hart.regs[a3]! >>> 0).toBe(0x4000_0000);
  });
  it('trap entry saves MIE in MPIE and clears MIE; mret restores it', () => {
    const hart = runProgram((asm) => {
      asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0).csrrsi(zero, Csr.mstatus, 8).ecall();
      asm.csrrs(a1, Csr.mstatus, zero);
      exit(asm);
      while (asm.here < HANDLER) asm.nop();
      asm
        .csrrs(a0, Csr.mstatus, zero)
        .csrrs(t1, Csr.mepc, zero)
        .addi(t1, t1, 4)
        .csrrw(zero, Csr.mepc, t1)
        .mret();
    });
    expect(hart.regs[a0]! & 0x88).toBe(0x80);
    expect(hart.regs[a1]! & 0x88).toBe(0x88);
  });
  it('a trap whose vector is unmapped is fatal and halts the hart', () => {
    const { hart } = boot((asm) => asm.li(t0, 0x10).csrrw(zero, Csr.mtvec, t0).ecall());
    expect(hart.run(1000)).toBe(Stop.Fatal);
    expect(hart.fatalReason).toContain('unmapped');
    expect(hart.pc).toBe(RAM + 12);
    expect(hart.run(2000)).toBe(Stop.Fatal);
  });
  it('a trap raised by the first instruction of the handler is fatal (no endless trap loop)', () => {
    const { hart } = boot((asm) => {
      asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0).ecall();
      while (asm.here < HANDLER) asm.nop();
      asm.word(0); // illegal
    });
    expect(hart.run(1_000_000)).toBe(Stop.Fatal);
    expect(hart.fatalReason).toContain('trap while entering a trap');
    expect(hart.instret).toBe(4);
  });
});

describe('interrupts', () => {
  function interruptProgram(vectored: boolean) {
    return boot((asm) => {
      asm.li(t0, HANDLER | (vectored ? 1 : 0)).csrrw(zero, Csr.mtvec, t0);
      asm.li(t0, -1).csrrw(zero, Csr.mie, t0).csrrsi(zero, Csr.mstatus, 8);
      asm.label('spin').addi(a0, a0, 1).j('spin');
      while (asm.here < HANDLER) asm.nop();
      asm.j('direct'); // direct entry / vector 0
      while (asm.here < HANDLER + 4 * 3) asm.nop();
      asm.j('software');
      while (asm.here < HANDLER + 4 * 7) asm.nop();
      asm.j('timer');
      while (asm.here < HANDLER + 4 * 11) asm.nop();
      asm.j('external');
      asm.label('software').li(s0, 3);
      exit(asm);
      asm.label('timer').li(s0, 7);
      exit(asm);
      asm.label('external').li(s0, 11);
      exit(asm);
      asm.label('direct').li(s0, 100);
      exit(asm);
    });
  }
  it('direct mode: every interrupt enters at the base; mcause has bit 31; mepc = next instruction', () => {
    const { hart } = interruptProgram(false);
    expect(hart.run(20)).toBe(Stop.Limit);
    const pcBefore = hart.pc;
    const instretBefore = hart.instret;
    hart.mip = MIP_MTIP;
    expect(hart.run(hart.instret)).toBe(Stop.Limit); // taken at the boundary, not counted
    expect(hart.instret).toBe(instretBefore);
    expect(hart.pc).toBe(HANDLER);
    expect(hart.mepc).toBe(pcBefore);
    expect(hart.mcause >>> 0).toBe((0x8000_0000 | 7) >>> 0);
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[s0]).toBe(100);
  });
  it('vectored mode enters at base + 4 × cause, external before software before timer', () => {
    for (const [mip, expected] of [
      [MIP_MTIP, 7],
      [MIP_MSIP | MIP_MTIP, 3],
      [MIP_MEIP | MIP_MSIP | MIP_MTIP, 11],
    ] as const) {
      const { hart } = interruptProgram(true);
      hart.run(30);
      hart.mip = mip;
      expect(hart.run(1000)).toBe(Stop.Exit);
      expect(hart.regs[s0]).toBe(expected);
    }
  });
  it('vectored mode sends synchronous exceptions to the base', () => {
    const { hart } = interruptProgram(true);
    hart.writeRam(RAM + 0x40, new Uint8Array([0x73, 0, 0, 0])); // ecall inside the spin loop region
    hart.pc = RAM + 0x40;
    hart.mtvec = (HANDLER | 1) >>> 0;
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[s0]).toBe(100);
    expect(hart.mcause).toBe(Cause.ecallM);
  });
  it('no interrupt while mstatus.MIE is clear or the source is disabled in mie', () => {
    const { hart } = boot((asm) => {
      asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0).li(t0, MIP_MTIP).csrrw(zero, Csr.mie, t0);
      asm.label('spin').addi(a0, a0, 1).j('spin');
    });
    hart.mip = MIP_MTIP | MIP_MEIP;
    expect(hart.run(100)).toBe(Stop.Limit);
    expect(hart.pc).toBeLessThan(HANDLER);
    hart.mstatus = 8;
    hart.mip = MIP_MEIP;
    expect(hart.run(200)).toBe(Stop.Limit);
    expect(hart.pc).toBeLessThan(HANDLER);
  });
  it('enabling MIE with csrrs takes the pending interrupt before the next instruction', () => {
    const { hart } = boot((asm) => {
      asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0).li(t0, MIP_MTIP).csrrw(zero, Csr.mie, t0);
      asm.csrrsi(zero, Csr.mstatus, 8).li(a0, 1);
      while (asm.here < HANDLER) asm.nop();
      exit(asm);
    });
    hart.mip = MIP_MTIP;
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[a0]).toBe(0);
    expect(hart.mepc).toBe(RAM + 28);
  });
  it('wfi retires and stops with nothing pending; with an enabled pending interrupt it continues', () => {
    const { hart } = boot((asm) => {
      asm.li(t0, MIP_MTIP).csrrw(zero, Csr.mie, t0).wfi().li(a0, 5).wfi().li(a1, 6);
      exit(asm);
    });
    expect(hart.run(1000)).toBe(Stop.Wfi);
    expect(hart.instret).toBe(4);
    expect(hart.pc).toBe(RAM + 16);
    hart.mip = MIP_MTIP; // pending and enabled in mie, but mstatus.MIE = 0: wfi just falls through
    expect(hart.run(1000)).toBe(Stop.Exit);
    expect(hart.regs[a0]).toBe(5);
    expect(hart.regs[a1]).toBe(6);
  });
});

describe('instruction counting', () => {
  it('counts a trapping instruction, not an interrupt entry', () => {
    const { hart } = boot((asm) => withSkipHandler(asm, (b) => b.ecall()));
    expect(hart.run(1000)).toBe(Stop.Exit);
    // li(2) + csrrw + ecall + handler(6: 3 csrr, addi, csrrw, mret) + exit li(2) + sw
    expect(hart.instret).toBe(3 + 1 + 6 + 3);
  });
  it('run(n) stops exactly at n, in any chunking, with the same final state', () => {
    const program = (asm: Asm) => {
      asm.li(sp, DATA).li(a0, 0).li(a1, 0);
      asm.label('loop').addi(a0, a0, 3).sw(a0, 0, sp).lw(a2, 0, sp).mul(a1, a1, a2).addi(a1, a1, 1);
      asm.li(t0, 5000).blt(a0, t0, 'loop');
      exit(asm);
    };
    const reference = boot(program).hart;
    expect(reference.run(1e9)).toBe(Stop.Exit);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 30 }), (steps) => {
        const { hart } = boot(program);
        for (const step of steps) {
          const target = hart.instret + step;
          const stop = hart.run(target);
          if (stop === Stop.Exit) break;
          expect(stop).toBe(Stop.Limit);
          expect(hart.instret).toBe(target);
        }
        hart.run(1e9);
        expect(hart.instret).toBe(reference.instret);
        expect(Array.from(hart.regs)).toEqual(Array.from(reference.regs));
        expect(hart.ramHash).toBe(reference.ramHash);
      }),
      { numRuns: 30, seed: 3 },
    );
  });
  it('counts past 2^32 in instreth', () => {
    const { hart } = boot((asm) => exit(asm.csrrs(a0, Csr.instret, zero).csrrs(a1, Csr.instreth, zero)));
    hart.instret = 0x1_0000_0005;
    expect(hart.run(0x1_0000_1000)).toBe(Stop.Exit);
    expect(hart.regs[a0]).toBe(5);
    expect(hart.regs[a1]).toBe(1);
  });
});
