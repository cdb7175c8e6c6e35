// Shared by the compiled-engine tests (not a test file itself): a logging test bus, a hart factory,
// random RV32IM programs as fast-check arbitraries, and a driver that runs the interpreter and the
// compiled engine to the same stop points and reports the first state difference.
import fc from 'fast-check';
import { BUS_FAULT, type Bus, type Counter } from '../src/rv32/bus.ts';
import { Csr } from '../src/rv32/csr.ts';
import { Hart, Stop } from '../src/rv32/hart.ts';
import { CompiledEngine } from '../src/rv32/jit/compiled-engine.ts';
import { hashRam } from '../src/rv32/ram-hash.ts';
import { Asm, bType, iType, jType, Reg, rType, sType, uType } from './rv32-asm.ts';

export const RAM = 0x8000_0000;
export const RAM_SIZE = 64 * 1024;
export const EXIT = 0x0010_0000;
export const MMIO = 0x2000_0000;
export const HANDLER = RAM + 0x1000;
export const DATA = RAM + 0x2000;
/** Where generated program bodies start (the prologue sits before it). */
export const BODY = RAM + 0x100;

/** Bus with an exit register and one MMIO word; logs every store and counter read with its count. */
export class LoggingBus implements Bus {
  hart!: Hart;
  mmioWord = 0x1234_5678;
  readonly log: string[] = [];
  load(address: number, size: 1 | 2 | 4, instret: number): number {
    if (address === MMIO && size === 4) {
      this.log.push(`load ${instret}`);
      return this.mmioWord >>> 0;
    }
    return BUS_FAULT;
  }
  store(address: number, size: 1 | 2 | 4, value: number, instret: number): boolean {
    if (address === EXIT) {
      this.log.push(`exit ${instret}`);
      this.hart.requestExit();
      return true;
    }
    if (address !== MMIO || size !== 4) return false;
    this.log.push(`store ${value} ${instret}`);
    this.mmioWord = value;
    return true;
  }
  readCounter(counter: Counter, instret: number): number {
    this.log.push(`counter ${counter} ${instret}`);
    return (0x1000 * (counter + 1) + instret * 3) >>> 0;
  }
}

export function makeHart(image: Uint8Array, pc = RAM): { hart: Hart; bus: LoggingBus } {
  const bus = new LoggingBus();
  const hart = new Hart({ ramBase: RAM, ramSizeBytes: RAM_SIZE, bus });
  bus.hart = hart;
  hart.writeRam(RAM, image);
  hart.pc = pc;
  return { hart, bus };
}

/** Everything architectural plus the bookkeeping that decides what happens next. */
export function hartState(hart: Hart): string {
  return JSON.stringify({
    pc: hart.pc,
    instret: hart.instret,
    regs: Array.from(hart.regs),
    csrs: hart.getCsrState(),
    ramHash: hart.ramHash,
    fatal: hart.fatal,
    trap: [hart.trapEntryInstret, hart.trapEntryPc],
  });
}

// --- Random programs ---

const FREE = [1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28];
const { t0, s0, s1, s2, t1, t2, t4, t5, t6 } = Reg;
const CSRS = [
  Csr.mscratch,
  Csr.mstatus,
  Csr.mie,
  Csr.mepc,
  Csr.mcause,
  Csr.mtval,
  Csr.time,
  Csr.cycle,
  Csr.instret,
  Csr.instreth,
  Csr.minstret,
  Csr.minstreth,
  Csr.mcycle,
  Csr.mcycleh,
  Csr.mvendorid,
  Csr.misa,
  Csr.mhartid,
  0x7c0,
];

/** One generated item: some instruction words, or a branch/jump to another item. */
export type Item =
  | { words: number[] }
  | { f3: number; rs1: number; rs2: number; to: number }
  | { jal: number; to: number };

const reg = fc.constantFrom(...FREE);
const anyReg = fc.integer({ min: 0, max: 31 });
const srcReg = fc.oneof({ weight: 6, arbitrary: reg }, { weight: 1, arbitrary: anyReg });
const rdReg = fc.oneof({ weight: 8, arbitrary: reg }, { weight: 1, arbitrary: anyReg });
const word = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const imm12 = fc.integer({ min: -2048, max: 2047 });

const aluR = fc
  .tuple(
    rdReg,
    srcReg,
    srcReg,
    fc.constantFrom(
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((f3) => [
        [f3, 0],
        [f3, 1],
      ]),
      [0, 0x20],
      [5, 0x20],
    ),
  )
  .map(([rd, a, b, [f3, f7]]) => ({ words: [rType(0x33, rd, f3!, a, b, f7!)] }));
const aluI = fc
  .tuple(rdReg, srcReg, fc.integer({ min: 0, max: 7 }), imm12, fc.integer({ min: 0, max: 31 }), fc.boolean())
  .map(([rd, a, f3, imm, shamt, arith]) => {
    if (f3 === 1) return { words: [iType(0x13, rd, 1, a, shamt)] };
    if (f3 === 5) return { words: [iType(0x13, rd, 5, a, (arith ? 0x400 : 0) | shamt)] };
    return { words: [iType(0x13, rd, f3, a, imm)] };
  });
const upper = fc
  .tuple(rdReg, fc.integer({ min: 0, max: 0xfffff }), fc.boolean())
  .map(([rd, imm, auipc]) => ({ words: [uType(auipc ? 0x17 : 0x37, rd, imm)] }));
/** Loads and stores: mostly into the data area (s0), some through any register, some to MMIO (s2). */
const base = fc.oneof(
  { weight: 6, arbitrary: fc.constant(s0) },
  { weight: 1, arbitrary: srcReg },
  { weight: 1, arbitrary: fc.constant(s2) },
);
const memOffset = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -16, max: 256 }) },
  { weight: 1, arbitrary: imm12 },
);
const load = fc
  .tuple(rdReg, base, memOffset, fc.constantFrom(0, 1, 2, 4, 5, 3, 6))
  .map(([rd, b, off, f3]) => ({ words: [iType(0x03, rd, f3, b, off)] }));
const store = fc
  .tuple(srcReg, base, memOffset, fc.constantFrom(0, 1, 2, 2, 3))
  .map(([v, b, off, f3]) => ({ words: [sType(0x23, f3, b, v, off)] }));
/**
 * Self-modifying code: write an instruction (or garbage) into a body slot through s1. Its top 12
 * bits are XORed with a counter (t5) bumped each time, so the code written changes on every pass.
 */
const selfModify = fc
  .tuple(
    fc.oneof(aluR, aluI, upper, load),
    word,
    fc.boolean(),
    fc.integer({ min: 0, max: 40 }),
    fc.constantFrom(0, 2, 2),
  )
  .map(([insn, garbage, useGarbage, slot, f3]) => {
    const value = useGarbage ? garbage : insn.words[0]!;
    const lo = (value << 20) >> 20;
    const hi = ((value - lo) >>> 12) & 0xfffff;
    return {
      words: [
        uType(0x37, t6, hi),
        iType(0x13, t6, 0, t6, lo),
        iType(0x13, t5, 0, t5, 1),
        iType(0x13, t4, 1, t5, 20),
        rType(0x33, t6, 4, t6, t4, 0),
        sType(0x23, f3, s1, t6, slot * 4),
      ],
    };
  });
const csr = fc
  .tuple(
    rdReg,
    srcReg,
    fc.constantFrom(...CSRS),
    fc.integer({ min: 1, max: 7 }),
    fc.integer({ min: 0, max: 31 }),
  )
  .map(([rd, rs, number, f3, uimm]) => ({
    words: [iType(0x73, rd, f3 === 4 ? 2 : f3, f3 >= 5 ? uimm : rs, number)],
  }));
const special: fc.Arbitrary<Item> = fc.constantFrom<Item>(
  { words: [0x00000073] }, // ecall
  { words: [0x00100073] }, // ebreak
  { words: [0x10500073] }, // wfi
  { words: [0x30200073] }, // mret
  { words: [0x0ff0000f] }, // fence
  { words: [0x0000100f] }, // fence.i
  { words: [0x00000000] }, // illegal
  { words: [0xffffffff] }, // illegal
  { words: [rType(0x33, 10, 1, 11, 12, 0x20)] }, // illegal funct7
);
const exitStore: fc.Arbitrary<Item> = fc.constant<Item>({
  words: [uType(0x37, t6, EXIT >>> 12), sType(0x23, 2, t6, 0, 0)],
});
/** Computed jumps through s1 into the body (odd offsets become misaligned targets). */
const jalr = fc
  .tuple(rdReg, fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 0, 0, 2, 1))
  .map(([rd, slot, skew]) => ({ words: [iType(0x67, rd, 0, s1, slot * 4 + skew)] }));
const branch = fc
  .tuple(fc.constantFrom(0, 1, 4, 5, 6, 7), srcReg, srcReg, fc.nat())
  .map(([f3, rs1, rs2, to]) => ({ f3, rs1, rs2, to }));
const jump = fc.tuple(fc.constantFrom(0, 1, 10), fc.nat()).map(([rd, to]) => ({ jal: rd, to }));

export const itemArb: fc.Arbitrary<Item> = fc.oneof(
  { weight: 10, arbitrary: aluR },
  { weight: 8, arbitrary: aluI },
  { weight: 2, arbitrary: upper },
  { weight: 6, arbitrary: load },
  { weight: 6, arbitrary: store },
  { weight: 4, arbitrary: selfModify },
  { weight: 3, arbitrary: csr },
  { weight: 1, arbitrary: fc.oneof({ weight: 4, arbitrary: special }, { weight: 1, arbitrary: exitStore }) },
  { weight: 1, arbitrary: jalr },
  { weight: 5, arbitrary: branch },
  { weight: 2, arbitrary: jump },
);

export interface ProgramSpec {
  items: Item[];
  seeds: number[];
}

export const programArb: fc.Arbitrary<ProgramSpec> = fc.record({
  items: fc.array(itemArb, { minLength: 1, maxLength: 60, size: 'max' }),
  seeds: fc.array(word, { minLength: FREE.length, maxLength: FREE.length }),
});

/**
 * Lays out: prologue (trap vector, pointers s0 = data, s1 = body, s2 = MMIO, seeded registers),
 * the body (jumps to the start at its end), and a handler that skips faulting instructions and
 * masks interrupts it takes.
 */
export function assemble(spec: ProgramSpec): Uint8Array {
  const asm = new Asm(RAM);
  asm.li(t0, HANDLER).csrrw(0, Csr.mtvec, t0).li(s0, DATA).li(s1, BODY).li(s2, MMIO);
  for (let i = 0; i < FREE.length; i++) asm.li(FREE[i]!, spec.seeds[i]!);
  asm.j(BODY - asm.here);
  while (asm.here < BODY) asm.word(0);
  const starts: number[] = [];
  let at = BODY;
  for (const item of spec.items) {
    starts.push(at);
    at += 'words' in item ? item.words.length * 4 : 4;
  }
  for (let i = 0; i < spec.items.length; i++) {
    const item = spec.items[i]!;
    const here = starts[i]!;
    if ('words' in item) for (const w of item.words) asm.word(w);
    else if ('jal' in item) asm.word(jType(item.jal, starts[item.to % starts.length]! - here));
    else asm.word(bType(item.f3, item.rs1, item.rs2, starts[item.to % starts.length]! - here));
  }
  asm.j(BODY - asm.here);
  if (asm.here > HANDLER) throw new Error('generated body too long');
  while (asm.here < HANDLER) asm.word(0);
  asm
    .csrrs(t1, Csr.mcause, 0)
    .blt(t1, 0, 'interrupt')
    .csrrs(t2, Csr.mepc, 0)
    .addi(t2, t2, 4)
    .csrrw(0, Csr.mepc, t2)
    .mret()
    .label('interrupt')
    .csrrw(0, Csr.mie, 0)
    .mret();
  return asm.assemble();
}

// --- Driving both engines ---

/** At each stop point: where to stop, and which interrupt lines the host raises there. */
export interface StopPoint {
  instret: number;
  mip: number;
}

export const stopPointsArb = (maxInstret: number): fc.Arbitrary<StopPoint[]> =>
  fc
    .array(
      fc.record({
        instret: fc.integer({ min: 0, max: maxInstret }),
        mip: fc.oneof(
          { weight: 5, arbitrary: fc.constant(-1) },
          { weight: 1, arbitrary: fc.constantFrom(0, 8, 128, 2048) },
        ),
      }),
      { minLength: 1, maxLength: 200 },
    )
    .map((points) => points.sort((a, b) => a.instret - b.instret));

type Runner = (until: number) => Stop;

/** Drives one hart through the stop points; returns the state trace (one line per run call). */
export function drive(hart: Hart, bus: LoggingBus, run: Runner, points: StopPoint[]): string[] {
  const trace: string[] = [];
  for (const point of points) {
    if (point.mip >= 0) hart.mip = point.mip;
    for (let calls = 0; hart.instret < point.instret && calls < 10_000; calls++) {
      const stop = run(point.instret);
      trace.push(`${stop} ${hartState(hart)}`);
      if (stop === Stop.Fatal) break;
    }
    if (hart.fatal) break;
  }
  trace.push(`ram ${hashRam(hart.ram32)} bus ${bus.log.join(',')}`);
  return trace;
}

/** Runs the interpreter and the compiled engine on the same image and stop points. */
export function bothEngines(
  image: Uint8Array,
  points: StopPoint[],
  interpretedEntriesBeforeCompile?: number,
): { interpreted: string[]; compiled: string[]; engine: CompiledEngine } {
  const a = makeHart(image);
  const b = makeHart(image);
  const engine = new CompiledEngine(b.hart, { interpretedEntriesBeforeCompile });
  const interpreted = drive(a.hart, a.bus, (until) => a.hart.run(until), points);
  const compiled = drive(b.hart, b.bus, (until) => engine.run(until), points);
  return { interpreted, compiled, engine };
}
