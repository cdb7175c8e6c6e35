// Translation of one RV32IM instruction into JavaScript source for a compiled block. Registers
// live in locals `x1`..`x31`; `x0` reads as 0 and writes to it are dropped. Anything the fast
// path cannot finish (MMIO, misaligned or faulting access, misaligned jump) leaves the block
// *before* the instruction so that the interpreter executes it: exact traps and bus side effects
// come from the reference implementation. SYSTEM instructions and illegal encodings are not
// translated at all (the block ends in front of them).

import { RAM_HASH_PAGE_SHIFT } from '../ram-hash.ts';

/** What the block compiler needs to know about one translated instruction. */
export interface Translation {
  code: string;
  /** Ends the block: control goes to `targets` (static) or to a computed address. */
  terminator: boolean;
  /** Static branch/jump target when the instruction can transfer control there (else -1). */
  target: number;
  reads: number[];
  writes: number[];
}

/** Per-block facts the translator emits code against. */
export interface TranslateContext {
  ramBase: number;
  ramSizeBytes: number;
  /** Index of this instruction in its block (instructions retired in this pass before it). */
  index: number;
  /** Unsigned address of this instruction. */
  pc: number;
  /** Source that leaves the block with `retired` instructions retired, continuing at `nextPc`. */
  leave(retired: number, nextPc: number): string;
  /** The same for a computed target: `address` is an expression for the int32 address. */
  leaveComputed(retired: number, address: string): string;
  /** Source that leaves the block to run this instruction in the interpreter. */
  bail(): string;
  /** Source for a taken transfer to a static target (may loop inside the function). */
  jump(retired: number, target: number): string;
  /**
   * For a conditional branch: its not-taken path stays in the block (the block goes on to a jump
   * back to its start, so a top-tested loop runs inside one function) instead of ending it.
   */
  fallThroughStays: boolean;
}

const reg = (r: number): string => (r === 0 ? '0' : `x${r}`);
const int = (value: number): string => `(${value | 0})`;

/** Returns null for an instruction the compiled path does not execute (the block ends before it). */
export function translate(insn: number, ctx: TranslateContext): Translation | null {
  const rd = (insn >> 7) & 31;
  const rs1 = (insn >> 15) & 31;
  const rs2 = (insn >> 20) & 31;
  const f3 = (insn >> 12) & 7;
  switch (insn & 0x7f) {
    case 0x37:
      return alu(rd, `${int(insn & 0xfffff000)}`, []);
    case 0x17:
      return alu(rd, `${int(ctx.pc + (insn & 0xfffff000))}`, []);
    case 0x13:
      return opImm(insn, rd, rs1, f3);
    case 0x33:
      return op(insn, rd, rs1, rs2, f3);
    case 0x03:
      return load(insn, rd, rs1, f3, ctx);
    case 0x23:
      return store(insn, rs1, rs2, f3, ctx);
    case 0x63:
      return branch(insn, rs1, rs2, f3, ctx);
    case 0x6f:
      return jal(insn, rd, ctx);
    case 0x67:
      return jalr(insn, rd, rs1, f3, ctx);
    case 0x0f:
      // fence is a no-op; fence.i ends the block (stores already invalidate code word by word).
      if (f3 === 0) return alu(0, '0', []);
      if (f3 === 1)
        return { ...alu(0, '0', []), code: ctx.leave(ctx.index + 1, ctx.pc + 4), terminator: true };
      return null;
    default:
      return null;
  }
}

function alu(rd: number, expression: string, reads: number[]): Translation {
  const code = rd === 0 ? '' : `x${rd} = ${expression};`;
  return { code, terminator: false, target: -1, reads, writes: rd === 0 ? [] : [rd] };
}

function opImm(insn: number, rd: number, rs1: number, f3: number): Translation | null {
  const a = reg(rs1);
  const imm = insn >> 20;
  const shamt = imm & 31;
  const reads = [rs1];
  switch (f3) {
    case 0:
      return alu(rd, `(${a} + ${int(imm)}) | 0`, reads);
    case 1:
      return insn >>> 25 === 0 ? alu(rd, `${a} << ${shamt}`, reads) : null;
    case 2:
      return alu(rd, `${a} < ${int(imm)} ? 1 : 0`, reads);
    case 3:
      return alu(rd, `${a} >>> 0 < ${imm >>> 0} ? 1 : 0`, reads);
    case 4:
      return alu(rd, `${a} ^ ${int(imm)}`, reads);
    case 5:
      if (insn >>> 25 === 0) return alu(rd, `${a} >>> ${shamt}`, reads);
      return insn >>> 25 === 0x20 ? alu(rd, `${a} >> ${shamt}`, reads) : null;
    case 6:
      return alu(rd, `${a} | ${int(imm)}`, reads);
    default:
      return alu(rd, `${a} & ${int(imm)}`, reads);
  }
}

const OP_BASE = [
  '(A + B) | 0',
  'A << B',
  'A < B ? 1 : 0',
  'A >>> 0 < B >>> 0 ? 1 : 0',
  'A ^ B',
  'A >>> B',
  'A | B',
  'A & B',
];
const OP_MULDIV = [
  'Math.imul(A, B)',
  'mulh(A, B)',
  'mulhsu(A, B)',
  'mulhu(A, B)',
  'B === 0 ? -1 : A === -2147483648 && B === -1 ? A : (A / B) | 0',
  'B === 0 ? -1 : ((A >>> 0) / (B >>> 0)) | 0',
  'B === 0 ? A : B === -1 ? 0 : (A % B) | 0',
  'B === 0 ? A : ((A >>> 0) % (B >>> 0)) | 0',
];

function op(insn: number, rd: number, rs1: number, rs2: number, f3: number): Translation | null {
  const f7 = insn >>> 25;
  let template: string | undefined;
  if (f7 === 0) template = OP_BASE[f3];
  else if (f7 === 1) template = OP_MULDIV[f3];
  else if (f7 === 0x20 && f3 === 0) template = '(A - B) | 0';
  else if (f7 === 0x20 && f3 === 5) template = 'A >> B';
  if (template === undefined) return null;
  const expression = template.replaceAll('A', reg(rs1)).replaceAll('B', reg(rs2));
  return alu(rd, expression, [rs1, rs2]);
}

/** `o = RAM offset of rs1 + imm` (unsigned; >= size means outside RAM). */
function offsetOf(rs1: number, imm: number, ctx: TranslateContext): string {
  return `o = (${reg(rs1)} + ${int(imm - ctx.ramBase)}) >>> 0;`;
}

const LOADS: Record<number, { align: number; read: string }> = {
  0: { align: 0, read: 'ram8s[o]' },
  1: { align: 1, read: 'ram16s[o >>> 1]' },
  2: { align: 3, read: 'ram32[o >>> 2]' },
  4: { align: 0, read: 'ram8[o]' },
  5: { align: 1, read: 'ram16[o >>> 1]' },
};

function load(insn: number, rd: number, rs1: number, f3: number, ctx: TranslateContext): Translation | null {
  const kind = LOADS[f3];
  if (kind === undefined) return null;
  const misaligned = kind.align === 0 ? '' : `(o & ${kind.align}) !== 0 || `;
  const check = `if (${misaligned}o >= ${ctx.ramSizeBytes}) ${ctx.bail()}`;
  const assign = rd === 0 ? '' : `x${rd} = ${kind.read};`;
  return {
    code: `${offsetOf(rs1, insn >> 20, ctx)} ${check} ${assign}`,
    terminator: false,
    target: -1,
    reads: [rs1],
    writes: rd === 0 ? [] : [rd],
  };
}

function store(
  insn: number,
  rs1: number,
  rs2: number,
  f3: number,
  ctx: TranslateContext,
): Translation | null {
  if (f3 > 2) return null;
  const imm = ((insn >> 25) << 5) | ((insn >>> 7) & 31);
  const v = reg(rs2);
  const misaligned = f3 === 0 ? '' : `(o & ${f3 === 1 ? 1 : 3}) !== 0 || `;
  const narrow =
    f3 === 2 ? `ram32[o >>> 2] = ${v};` : f3 === 0 ? `ram8[o] = ${v};` : `ram16[o >>> 1] = ${v};`;
  // The page of the RAM hash goes stale (ram-hash.ts); `w` is the word for the code check below.
  const write = `${narrow} ramStale[o >>> ${RAM_HASH_PAGE_SHIFT}] = 1; w = o >>> 2;`;
  // A store into compiled code invalidates it and leaves the block right after the store.
  const selfModifying = `if (codeWords[w] !== 0) { onCodeWrite(w); ${ctx.leave(ctx.index + 1, ctx.pc + 4)} }`;
  return {
    code: `${offsetOf(rs1, imm, ctx)} if (${misaligned}o >= ${ctx.ramSizeBytes}) ${ctx.bail()} ${write} ${selfModifying}`,
    terminator: false,
    target: -1,
    reads: [rs1, rs2],
    writes: [],
  };
}

const BRANCH_CONDITIONS: Record<number, string> = {
  0: 'A === B',
  1: 'A !== B',
  4: 'A < B',
  5: 'A >= B',
  6: 'A >>> 0 < B >>> 0',
  7: 'A >>> 0 >= B >>> 0',
};

function branch(
  insn: number,
  rs1: number,
  rs2: number,
  f3: number,
  ctx: TranslateContext,
): Translation | null {
  const condition = BRANCH_CONDITIONS[f3];
  if (condition === undefined) return null;
  const offset =
    ((insn >> 31) << 12) | ((insn << 4) & 0x800) | ((insn >>> 20) & 0x7e0) | ((insn >>> 7) & 0x1e);
  const target = (ctx.pc + offset) >>> 0;
  // A misaligned target traps when taken: leave that to the interpreter.
  if ((target & 3) !== 0) return null;
  const test = condition.replaceAll('A', reg(rs1)).replaceAll('B', reg(rs2));
  const retired = ctx.index + 1;
  if (ctx.fallThroughStays) {
    return {
      code: `if (${test}) { ${ctx.jump(retired, target)} }`,
      terminator: false,
      target,
      reads: [rs1, rs2],
      writes: [],
    };
  }
  return {
    code: `if (${test}) { ${ctx.jump(retired, target)} } ${ctx.leave(retired, ctx.pc + 4)}`,
    terminator: true,
    target,
    reads: [rs1, rs2],
    writes: [],
  };
}

function jal(insn: number, rd: number, ctx: TranslateContext): Translation | null {
  const offset = ((insn >> 31) << 20) | (insn & 0xff000) | ((insn >>> 9) & 0x800) | ((insn >>> 20) & 0x7fe);
  const target = (ctx.pc + offset) >>> 0;
  if ((target & 3) !== 0) return null;
  const link = rd === 0 ? '' : `x${rd} = ${int(ctx.pc + 4)};`;
  return {
    code: `${link} ${ctx.jump(ctx.index + 1, target)}`,
    terminator: true,
    target,
    reads: [],
    writes: rd === 0 ? [] : [rd],
  };
}

function jalr(insn: number, rd: number, rs1: number, f3: number, ctx: TranslateContext): Translation | null {
  if (f3 !== 0) return null;
  // The target is computed before rd is written (rd may equal rs1).
  const link = rd === 0 ? '' : `x${rd} = ${int(ctx.pc + 4)};`;
  return {
    code: `t = (${reg(rs1)} + ${int(insn >> 20)}) & -2; if ((t & 3) !== 0) ${ctx.bail()} ${link} ${ctx.leaveComputed(ctx.index + 1, 't')}`,
    terminator: true,
    target: -1,
    reads: [rs1],
    writes: rd === 0 ? [] : [rd],
  };
}
