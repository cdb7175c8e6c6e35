import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cause, Csr } from '../src/rv32/csr.ts';
import { Stop } from '../src/rv32/hart.ts';
import { translateBlock } from '../src/rv32/jit/block-compiler.ts';
import { COMPILED_BLOCKS_MAX, INVALIDATIONS_PER_START_MAX } from '../src/rv32/jit/code-cache.ts';
import { CompiledEngine } from '../src/rv32/jit/compiled-engine.ts';
import { hashRam } from '../src/rv32/ram-hash.ts';
import { DATA, drive, HANDLER, hartState, makeHart, RAM, RAM_SIZE } from './jit-harness.ts';
import { Asm, Reg } from './rv32-asm.ts';

const { zero, ra, t0, t1, t2, a0, a1, a2, a3, a4, s0, s1, s2, s3 } = Reg;

/** Assembles a program whose trap handler (at HANDLER) records mcause/mepc/mtval/instret and stops. */
function program(body: (asm: Asm) => void): Uint8Array {
  const asm = new Asm(RAM);
  asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0);
  body(asm);
  while (asm.here < HANDLER) asm.word(0);
  asm
    .csrrs(s0, Csr.mcause, zero)
    .csrrs(s1, Csr.mepc, zero)
    .csrrs(s2, Csr.mtval, zero)
    .csrrs(s3, Csr.instret, zero)
    .label('halt')
    .wfi()
    .j('halt');
  return asm.assemble();
}

function compiledHart(image: Uint8Array) {
  const { hart, bus } = makeHart(image);
  return { hart, bus, engine: new CompiledEngine(hart) };
}

/** Runs the image on both engines through the stop points and expects identical traces. */
function expectSameAsInterpreter(image: Uint8Array, stops: number[]): CompiledEngine {
  const points = stops.map((instret) => ({ instret, mip: -1 }));
  const a = makeHart(image);
  const b = compiledHart(image);
  const interpreted = drive(a.hart, a.bus, (until) => a.hart.run(until), points);
  const compiled = drive(b.hart, b.bus, (until) => b.engine.run(until), points);
  expect(compiled).toEqual(interpreted);
  return b.engine;
}

const countingLoop = program((asm) =>
  asm
    .li(a0, 0)
    .li(a1, 100_000)
    .li(a3, DATA)
    .label('loop')
    .addi(a0, a0, 1)
    .xor(a2, a2, a0)
    .sw(a2, 0, a3)
    .lbu(a4, 1, a3)
    .add(a2, a2, a4)
    .bne(a0, a1, 'loop')
    .label('done')
    .wfi()
    .j('done'),
);

describe('compiled engine: exact instruction counts', () => {
  it('stops at any requested count inside a self-looping block', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 30 }), (stops) => {
        expectSameAsInterpreter(
          countingLoop,
          stops.sort((x, y) => x - y),
        );
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('single steps every instruction identically (stride 1)', () => {
    expectSameAsInterpreter(
      countingLoop,
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
  });

  it('runs a long loop to completion in compiled code with the same result and RAM hash', () => {
    const { hart, engine } = compiledHart(countingLoop);
    expect(engine.run(1_000_000)).toBe(Stop.Wfi);
    expect(hart.regs[a0]).toBe(100_000);
    expect(hart.ramHash).toBe(hashRam(hart.ram32));
    const reference = makeHart(countingLoop).hart;
    expect(reference.run(1_000_000)).toBe(Stop.Wfi);
    expect(hartState(hart)).toBe(hartState(reference));
  });
});

/** A top-tested loop (test first, `j` back at the end), as start.S zeroes .bss. */
let loopHead = 0;
const topTestedLoop = program((asm) => {
  asm
    .li(t0, DATA)
    .li(t1, DATA + 4000)
    .label('head');
  loopHead = asm.here;
  asm.bgeu(t0, t1, 'out').sw(t0, 0, t0).addi(t0, t0, 4).j('head').label('out').wfi().j('out');
});

describe('compiled engine: top-tested loops', () => {
  it('iterate inside the block of their test and stop at any count exactly', () => {
    const { hart } = compiledHart(topTestedLoop);
    expect(translateBlock(hart, hart.ram32, (loopHead - RAM) >>> 2).loops).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4100 }), { minLength: 1, maxLength: 20 }), (stops) => {
        expectSameAsInterpreter(
          topTestedLoop,
          stops.sort((x, y) => x - y),
        );
      }),
      { numRuns: 40, seed: 17 },
    );
  });
});

/**
 * A loop with an early exit (memcmp's shape: compare, leave on a difference, count down, branch
 * back): two arrays equal for 600 bytes, then different, compared over 700.
 */
let earlyExitHead = 0;
const earlyExitLoop = program((asm) => {
  asm
    .li(a0, DATA)
    .li(a1, DATA + 1024)
    .li(a2, 700)
    .li(t0, 0)
    .label('fill')
    .add(t1, a0, t0)
    .sb(t0, 0, t1)
    .add(t1, a1, t0)
    .sb(t0, 0, t1)
    .addi(t0, t0, 1)
    .li(t2, 600)
    .bne(t0, t2, 'fill')
    .li(t2, 1)
    .add(t1, a1, t0)
    .sb(t2, 0, t1)
    .label('head');
  earlyExitHead = asm.here;
  asm
    .lbu(a3, 0, a0)
    .lbu(a4, 0, a1)
    .bne(a3, a4, 'differ')
    .addi(a2, a2, -1)
    .addi(a0, a0, 1)
    .addi(a1, a1, 1)
    .bne(a2, zero, 'head')
    .label('differ')
    .wfi()
    .j('differ');
});

describe('compiled engine: loops with an early exit', () => {
  it('iterate inside one block, leave at the exit branch and stop at any count exactly', () => {
    const { hart, engine } = compiledHart(earlyExitLoop);
    expect(translateBlock(hart, hart.ram32, (earlyExitHead - RAM) >>> 2).loops).toBe(true);
    expect(engine.run(100_000)).toBe(Stop.Wfi);
    expect(hart.regs[a2]).toBe(100);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9000 }), { minLength: 1, maxLength: 20 }), (stops) => {
        expectSameAsInterpreter(
          earlyExitLoop,
          stops.sort((x, y) => x - y),
        );
      }),
      { numRuns: 40, seed: 23 },
    );
  });
});

describe('compiled engine: traps in the middle of a block', () => {
  it('a faulting load reports its own pc, address and count; earlier results are kept', () => {
    let loadPc = 0;
    const image = program((asm) => {
      asm.li(a0, 5).li(a1, 0x4000_0000).addi(a0, a0, 1).addi(a2, a0, 10);
      loadPc = asm.here;
      asm.lw(a3, 8, a1).addi(a4, a0, 1).wfi();
    });
    const { hart, engine } = compiledHart(image);
    expect(engine.run(1000)).toBe(Stop.Wfi);
    expect(hart.regs[s0]).toBe(Cause.loadAccess);
    expect(hart.regs[s1]! >>> 0).toBe(loadPc);
    expect(hart.regs[s2]! >>> 0).toBe(0x4000_0008);
    // 9 before the load (li t0, csrrw, li a0, li a1, two addi), the load counts (10), then the
    // handler's three CSR reads before `csrr instret`.
    expect(hart.regs[s3]).toBe(13);
    expect(hart.regs[a2]).toBe(16);
    expect(hart.regs[a4]).toBe(0);
    expectSameAsInterpreter(image, [3, 9, 10, 11, 1000]);
  });

  it('misaligned jalr, ecall, illegal instructions and stores outside RAM trap at the exact instruction', () => {
    for (const fault of [
      (asm: Asm) => asm.li(t1, RAM + 2).jalr(ra, t1, 0),
      (asm: Asm) => asm.ecall(),
      (asm: Asm) => asm.word(0),
      (asm: Asm) => asm.li(t1, 0x4000_0000).sw(a0, 0, t1),
      (asm: Asm) => asm.li(t1, RAM + RAM_SIZE).lb(a0, 0, t1),
      (asm: Asm) => asm.li(t1, 0x1000).jalr(zero, t1, 0),
    ]) {
      const image = program((asm) => fault(asm.addi(a0, a0, 3).addi(a1, a0, 4)));
      expectSameAsInterpreter(image, [1, 4, 5, 6, 7, 8, 50]);
    }
  });
});

describe('compiled engine: self-modifying code', () => {
  it('a store into the running block takes effect on the next instruction', () => {
    const image = program((asm) => {
      // Overwrite the `addi a0, a0, 1` two instructions ahead with `addi a0, a0, 100`.
      asm.li(a1, 0).li(t1, 0);
      asm.la(t1, 'patched');
      asm.li(a2, (100 << 20) | (a0 << 15) | (a0 << 7) | 0x13);
      asm.label('loop').sw(a2, 0, t1).label('patched').addi(a0, a0, 1).addi(a1, a1, 1);
      asm.li(a3, 3).bne(a1, a3, 'loop').wfi();
    });
    const { hart, engine } = compiledHart(image);
    expect(engine.run(10_000)).toBe(Stop.Wfi);
    expect(hart.regs[a0]).toBe(300);
    expectSameAsInterpreter(image, [5, 12, 13, 14, 20, 10_000]);
  });

  it('code rewritten in a loop (a guest JIT) stays correct and the cache stays bounded', () => {
    const image = program((asm) => {
      // 2000 times: write `addi a0, a0, k` into the slot, fence.i, call it (the slot returns).
      asm.li(a1, 0).la(s0, 'slot').li(a4, 2000);
      asm
        .label('loop')
        .addi(a1, a1, 1)
        .slli(a2, a1, 20)
        .li(a3, (a0 << 15) | (a0 << 7) | 0x13)
        .or(a2, a2, a3)
        .sw(a2, 0, s0)
        .fenceI()
        .jalr(ra, s0, 0)
        .bne(a1, a4, 'loop')
        .label('end')
        .wfi()
        .j('end')
        .label('slot')
        .nop()
        .jalr(zero, ra, 0);
    });
    const engine = expectSameAsInterpreter(image, [100, 1000, 5000, 40_000]);
    expect(engine.cache.liveBlocks).toBeLessThanOrEqual(COMPILED_BLOCKS_MAX);
    expect(engine.cache.invalidated).toBeGreaterThanOrEqual(INVALIDATIONS_PER_START_MAX);
    const { hart, engine: fresh } = compiledHart(image);
    expect(fresh.run(100_000)).toBe(Stop.Wfi);
    expect(hart.regs[a0]).toBe((2000 * 2001) / 2);
  });

  it('a store the interpreter executes (misaligned) into compiled code invalidates it', () => {
    const image = program((asm) => {
      // 100 times: call the slot 8 times (it gets compiled), then patch the immediate of its
      // `addi a0, a0, imm` with a misaligned sw over its upper half and the jalr's lower half.
      asm.la(s0, 'slot').li(a1, 0).li(a3, 100);
      asm.label('outer').li(a2, 8);
      asm.label('inner').jalr(ra, s0, 0).addi(a2, a2, -1).bne(a2, zero, 'inner');
      asm.addi(a1, a1, 1).slli(t1, a1, 4).li(a4, 0x8067_0005).or(t1, t1, a4).sw(t1, 2, s0);
      asm.bne(a1, a3, 'outer').label('end').wfi().j('end');
      asm.label('slot').addi(a0, a0, 0).jalr(zero, ra, 0);
    });
    const { hart, engine } = compiledHart(image);
    expect(engine.run(100_000)).toBe(Stop.Wfi);
    expect(hart.regs[a0]).toBe(8 * ((99 * 100) / 2));
    expect(engine.cache.invalidated).toBeGreaterThanOrEqual(INVALIDATIONS_PER_START_MAX);
    expectSameAsInterpreter(image, [500, 3000, 100_000]);
  });

  it('RAM written by the host (DMA, loader) invalidates compiled code', () => {
    const image = program((asm) => asm.label('top').addi(a0, a0, 1).j('top'));
    const { hart, engine } = compiledHart(image);
    engine.run(100);
    const before = hart.regs[a0]!;
    const top = RAM + 12; // after li t0 (2) + csrrw
    const addi7 = new Uint8Array(new Uint32Array([(7 << 20) | (a0 << 15) | (a0 << 7) | 0x13]).buffer);
    hart.writeRam(top, addi7);
    engine.run(hart.instret + 10);
    expect(hart.regs[a0]).toBe(before + 5 * 7);
  });
});

describe('compiled engine: hostile guests', () => {
  it('more distinct blocks than the cache holds: flushed, bounded, same results', () => {
    // Calls each of `slots` one-instruction functions three times (a start compiles once warm).
    const slots = COMPILED_BLOCKS_MAX + 1000;
    const first = RAM + 0x1100;
    const asm = new Asm(RAM);
    asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0).li(s2, 3);
    asm
      .label('pass')
      .li(s0, first)
      .li(s1, first + slots * 4);
    asm.label('loop').jalr(ra, s0, 0).addi(a0, a0, 1).addi(s0, s0, 4).bne(s0, s1, 'loop');
    asm.addi(s2, s2, -1).bne(s2, zero, 'pass').wfi();
    while (asm.here < first) asm.word(0);
    for (let i = 0; i < slots; i++) asm.jalr(zero, ra, 0);
    const image = asm.assemble();
    const engine = expectSameAsInterpreter(image, [1000, 60_000, 90_000, 200_000]);
    expect(engine.cache.flushes).toBeGreaterThanOrEqual(1);
    expect(engine.cache.liveBlocks).toBeLessThanOrEqual(COMPILED_BLOCKS_MAX);
  });

  it('jumping into data and outside RAM gives traps, the same as the interpreter', () => {
    const data = (asm: Asm) => {
      asm.li(t1, DATA).li(a0, 0x12345).sw(a0, 0, t1).sw(a0, 4, t1).jalr(zero, t1, 0);
    };
    expectSameAsInterpreter(program(data), [2, 8, 9, 10, 11, 12, 200]);
    const outside = (asm: Asm) => asm.li(t1, 0x7fff_fff0).jalr(zero, t1, 0);
    expectSameAsInterpreter(program(outside), [4, 5, 6, 200]);
  });
});
