// Cross-check against QEMU (`qemu-system-riscv32 -machine virt`, installed by npm test's pretest):
// random programs of ALU, M, load/store and forward-branch instructions print every register on the
// UART; our VM must print exactly what QEMU prints. FTCHECK_SKIP_QEMU=1 skips it on purpose.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../src/base/prng.ts';
import { Csr } from '../src/rv32/csr.ts';
import { RAM_BASE, TEST_DEVICE_BASE, UART_BASE } from '../src/vm/api.ts';
import { runStandalone } from '../src/vm/standalone-host.ts';
import { makeElf } from './elf-build.ts';
import { Asm, Reg } from './rv32-asm.ts';
import { QEMU } from './system-tools.ts';

const DATA = RAM_BASE + 0x8000;
const DUMP = RAM_BASE + 0x9000;
const { ra, tp, t0, t1, t2, t3, t5, t6, s0, s1, s11, a0 } = Reg;
/** Registers the random part may write: everything but x0 and tp (the data pointer). */
const WRITABLE = Array.from({ length: 31 }, (_, i) => i + 1).filter((r) => r !== tp);

type Emit = (asm: Asm, prng: Prng) => void;
const pick = <T>(prng: Prng, items: readonly T[]): T => items[prng.nextInt(items.length)]!;
const reg = (prng: Prng) => prng.nextInt(32);
const dst = (prng: Prng) => pick(prng, WRITABLE);
const RR = [
  'add',
  'sub',
  'sll',
  'slt',
  'sltu',
  'xor',
  'srl',
  'sra',
  'or',
  'and',
  'mul',
  'mulh',
  'mulhsu',
  'mulhu',
  'div',
  'divu',
  'rem',
  'remu',
] as const;
const RI = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'] as const;
const SH = ['slli', 'srli', 'srai'] as const;
const LOADS = [
  ['lb', 1],
  ['lbu', 1],
  ['lh', 2],
  ['lhu', 2],
  ['lw', 4],
] as const;
const STORES = [
  ['sb', 1],
  ['sh', 2],
  ['sw', 4],
] as const;
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'] as const;

const emitters: Emit[] = [
  (asm, p) => asm[pick(p, RR)](dst(p), reg(p), reg(p)),
  (asm, p) => asm[pick(p, RI)](dst(p), reg(p), p.nextInt(4096) - 2048),
  (asm, p) => asm[pick(p, SH)](dst(p), reg(p), p.nextInt(32)),
  (asm, p) => asm.lui(dst(p), p.nextInt(0x100000)),
  (asm, p) => asm.auipc(dst(p), p.nextInt(0x100000)),
  (asm, p) => {
    const [name, size] = pick(p, LOADS);
    asm[name](dst(p), p.nextInt(256 / size) * size, tp);
  },
  (asm, p) => {
    const [name, size] = pick(p, STORES);
    asm[name](reg(p), p.nextInt(256 / size) * size, tp);
  },
  (asm, p) => asm[pick(p, BRANCHES)](reg(p), reg(p), 4 * (2 + p.nextInt(3))), // skips 1..3 instructions
];

function randomProgram(seed: number, length: number): Uint8Array {
  const prng = new Prng(seed);
  const asm = new Asm(RAM_BASE);
  asm.li(tp, DATA);
  for (const r of WRITABLE) asm.li(r, prng.nextU32() | 0);
  for (let i = 0; i < length; i++) pick(prng, emitters)(asm, prng);
  for (let i = 0; i < 4; i++) asm.nop(); // landing room for the last branches
  asm.li(tp, DUMP);
  for (let r = 1; r < 32; r++) asm.sw(r, 4 * (r - 1), tp);
  asm.li(s0, DUMP).li(s1, 31);
  printWordsAndExit(asm);
  return makeElf(RAM_BASE, [{ address: RAM_BASE, data: asm.assemble(), memSize: 0xa000 }]);
}

/** Prints s1 words from s0 as hex lines on the UART, a trailer line, then exits through the test device. */
function printWordsAndExit(asm: Asm): void {
  asm.li(t6, UART_BASE);
  asm.label('word').lw(a0, 0, s0).li(t1, 8);
  asm.label('nibble').srli(t2, a0, 28).slli(a0, a0, 4).li(t3, 10).blt(t2, t3, 'digit').addi(t2, t2, 39);
  asm.label('digit').addi(t2, t2, 48).jal(ra, 'putc').addi(t1, t1, -1).bne(t1, 0, 'nibble');
  asm.li(t2, 10).jal(ra, 'putc').addi(s0, s0, 4).addi(s1, s1, -1).bne(s1, 0, 'word');
  for (const ch of '........\n') asm.li(t2, ch.charCodeAt(0)).jal(ra, 'putc');
  asm.li(t6, TEST_DEVICE_BASE).li(t1, 0x5555).sw(t1, 0, t6);
  // putc(t2): wait for LSR.THRE like a real 16550 driver (QEMU drops bytes otherwise).
  asm.label('putc').lbu(t5, 5, t6).andi(t5, t5, 0x20).beq(t5, 0, 'putc').sb(t2, 0, t6).jalr(0, ra, 0);
}

/**
 * Raises every synchronous exception QEMU and this VM treat alike; the handler records mcause,
 * mepc (RAM-relative) and mtval of each, then skips the instruction. (Left out on purpose: stores
 * to unmapped addresses, which QEMU ignores, and CSR WARL details where both are legal.)
 */
function trapProgram(): Uint8Array {
  const asm = new Asm(RAM_BASE);
  asm.la(t0, 'handler').csrrw(0, Csr.mtvec, t0).li(s11, DATA);
  asm.ecall().ebreak().word(0).word(0xffffffff);
  asm.csrrs(a0, 0x7c0, 0).csrrw(0, Csr.mhartid, t0).csrrw(0, Csr.cycle, t0);
  asm.li(t1, 0xf000_0000).lw(a0, 0, t1).li(t1, 0xf000_0000).lbu(a0, 3, t1); // the handler clobbers t0/t1
  asm.word(0x0000_2063).word(0x302000f3).word(0x1050_0273).word(0x0000_700b);
  asm.la(t0, 'odd').jalr(ra, t0, 2).label('odd').nop();
  asm.li(s0, DATA).sub(s1, s11, s0).srli(s1, s1, 2);
  printWordsAndExit(asm);
  asm.label('handler').csrrs(t0, Csr.mcause, 0).sw(t0, 0, s11);
  asm.csrrs(t0, Csr.mepc, 0).li(t1, RAM_BASE).sub(t0, t0, t1).sw(t0, 4, s11);
  asm.csrrs(t0, Csr.mtval, 0).sw(t0, 8, s11).addi(s11, s11, 12);
  asm.csrrs(t0, Csr.mepc, 0).addi(t0, t0, 4).csrrw(0, Csr.mepc, t0).mret();
  return makeElf(RAM_BASE, [{ address: RAM_BASE, data: asm.assemble(), memSize: 0x9000 }]);
}

function runQemu(path: string): string {
  return execFileSync(
    'qemu-system-riscv32',
    [
      '-machine',
      'virt',
      '-bios',
      'none',
      '-cpu',
      'rv32,c=false',
      '-kernel',
      path,
      '-nographic',
      '-monitor',
      'none',
    ],
    { timeout: 60_000, encoding: 'utf8' },
  ).replaceAll('\r', '');
}

describe.skipIf(QEMU.skip)('cross-check with QEMU virt', () => {
  beforeAll(() => {
    if (QEMU.missing) throw new Error(QEMU.missing);
  });
  const dir = mkdtempSync(join(tmpdir(), 'ftcheck-qemu-'));
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`random program ${seed} prints the same registers`, () => {
      const elf = randomProgram(seed, 600);
      const path = join(dir, `random-${seed}.elf`);
      writeFileSync(path, elf);
      const qemu = runQemu(path);
      const ours = runStandalone(elf, { maxInstructions: 1_000_000 });
      expect(ours.stop).toBe('exit');
      const registers = (text: string) => text.split('\n').slice(0, 31).join('\n');
      expect(qemu.split('\n').length).toBeGreaterThanOrEqual(32);
      expect(registers(ours.console)).toBe(registers(qemu));
      expect(ours.console.endsWith('........\n')).toBe(true);
    });
  }
  it('traps: the same mcause / mepc / mtval for every exception', () => {
    const elf = trapProgram();
    const path = join(dir, 'traps.elf');
    writeFileSync(path, elf);
    const qemu = runQemu(path);
    const ours = runStandalone(elf, { maxInstructions: 100_000 });
    expect(ours.stop).toBe('exit');
    expect(ours.console).toBe(qemu);
    expect(ours.console.split('\n').length).toBe(3 * 14 + 2);
  });
  it('crc prints exactly what it prints under QEMU', () => {
    const qemu = runQemu('guests/crc.elf');
    const ours = runStandalone(new Uint8Array(readFileSync('guests/crc.elf'))).console;
    expect(qemu).toMatch(/crc: combined/);
    expect(ours.startsWith(qemu.slice(0, qemu.lastIndexOf('\n') + 1))).toBe(true);
  });
});
