// A tiny RV32IM+Zicsr assembler for tests: encoders for the R/I/S/B/U/J formats and a builder with
// labels, so ISA and device tests need no toolchain. Not a test file itself (no `.test.ts`).

export const Reg = {
  zero: 0,
  ra: 1,
  sp: 2,
  gp: 3,
  tp: 4,
  t0: 5,
  t1: 6,
  t2: 7,
  s0: 8,
  s1: 9,
  a0: 10,
  a1: 11,
  a2: 12,
  a3: 13,
  a4: 14,
  a5: 15,
  a6: 16,
  a7: 17,
  s2: 18,
  s3: 19,
  s4: 20,
  s5: 21,
  s6: 22,
  s7: 23,
  s8: 24,
  s9: 25,
  s10: 26,
  s11: 27,
  t3: 28,
  t4: 29,
  t5: 30,
  t6: 31,
} as const;

export function rType(opcode: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;
}
export function iType(opcode: number, rd: number, f3: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;
}
export function sType(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return (
    ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | opcode) >>> 0
  );
}
export function bType(f3: number, rs1: number, rs2: number, offset: number): number {
  const imm =
    (((offset >> 12) & 1) << 31) |
    (((offset >> 5) & 0x3f) << 25) |
    (((offset >> 1) & 0xf) << 8) |
    (((offset >> 11) & 1) << 7);
  return (imm | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | 0x63) >>> 0;
}
export function uType(opcode: number, rd: number, imm20: number): number {
  return (((imm20 & 0xfffff) << 12) | (rd << 7) | opcode) >>> 0;
}
export function jType(rd: number, offset: number): number {
  const imm =
    (((offset >> 20) & 1) << 31) |
    (((offset >> 1) & 0x3ff) << 21) |
    (((offset >> 11) & 1) << 20) |
    (((offset >> 12) & 0xff) << 12);
  return (imm | (rd << 7) | 0x6f) >>> 0;
}

type Target = string | number;
const BRANCH_F3 = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 } as const;

/** Builder: methods append one instruction; branch/jump targets are labels or byte offsets. */
export class Asm {
  readonly words: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; target: string; encode: (offset: number) => number }[] = [];

  constructor(readonly origin = 0x8000_0000) {}

  /** Address of the next instruction. */
  get here(): number {
    return this.origin + this.words.length * 4;
  }
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.here);
    return this;
  }
  address(name: string): number {
    const address = this.labels.get(name);
    if (address === undefined) throw new Error(`unknown label ${name}`);
    return address;
  }
  word(value: number): this {
    this.words.push(value >>> 0);
    return this;
  }
  private relative(target: Target, encode: (offset: number) => number): this {
    if (typeof target === 'number') return this.word(encode(target));
    this.fixups.push({ at: this.words.length, target, encode });
    return this.word(0);
  }

  // R-type ALU and M
  private r(f3: number, f7: number, rd: number, rs1: number, rs2: number): this {
    return this.word(rType(0x33, rd, f3, rs1, rs2, f7));
  }
  add(rd: number, a: number, b: number) {
    return this.r(0, 0, rd, a, b);
  }
  sub(rd: number, a: number, b: number) {
    return this.r(0, 0x20, rd, a, b);
  }
  sll(rd: number, a: number, b: number) {
    return this.r(1, 0, rd, a, b);
  }
  slt(rd: number, a: number, b: number) {
    return this.r(2, 0, rd, a, b);
  }
  sltu(rd: number, a: number, b: number) {
    return this.r(3, 0, rd, a, b);
  }
  xor(rd: number, a: number, b: number) {
    return this.r(4, 0, rd, a, b);
  }
  srl(rd: number, a: number, b: number) {
    return this.r(5, 0, rd, a, b);
  }
  sra(rd: number, a: number, b: number) {
    return this.r(5, 0x20, rd, a, b);
  }
  or(rd: number, a: number, b: number) {
    return this.r(6, 0, rd, a, b);
  }
  and(rd: number, a: number, b: number) {
    return this.r(7, 0, rd, a, b);
  }
  mul(rd: number, a: number, b: number) {
    return this.r(0, 1, rd, a, b);
  }
  mulh(rd: number, a: number, b: number) {
    return this.r(1, 1, rd, a, b);
  }
  mulhsu(rd: number, a: number, b: number) {
    return this.r(2, 1, rd, a, b);
  }
  mulhu(rd: number, a: number, b: number) {
    return this.r(3, 1, rd, a, b);
  }
  div(rd: number, a: number, b: number) {
    return this.r(4, 1, rd, a, b);
  }
  divu(rd: number, a: number, b: number) {
    return this.r(5, 1, rd, a, b);
  }
  rem(rd: number, a: number, b: number) {
    return this.r(6, 1, rd, a, b);
  }
  remu(rd: number, a: number, b: number) {
    return this.r(7, 1, rd, a, b);
  }

  // I-type ALU
  private i(f3: number, rd: number, rs1: number, imm: number): this {
    return this.word(iType(0x13, rd, f3, rs1, imm));
  }
  addi(rd: number, a: number, imm: number) {
    return this.i(0, rd, a, imm);
  }
  slti(rd: number, a: number, imm: number) {
    return this.i(2, rd, a, imm);
  }
  sltiu(rd: number, a: number, imm: number) {
    return this.i(3, rd, a, imm);
  }
  xori(rd: number, a: number, imm: number) {
    return this.i(4, rd, a, imm);
  }
  ori(rd: number, a: number, imm: number) {
    return this.i(6, rd, a, imm);
  }
  andi(rd: number, a: number, imm: number) {
    return this.i(7, rd, a, imm);
  }
  slli(rd: number, a: number, shamt: number) {
    return this.i(1, rd, a, shamt);
  }
  srli(rd: number, a: number, shamt: number) {
    return this.i(5, rd, a, shamt);
  }
  srai(rd: number, a: number, shamt: number) {
    return this.i(5, rd, a, 0x400 | shamt);
  }

  // loads / stores
  lb(rd: number, offset: number, base: number) {
    return this.word(iType(0x03, rd, 0, base, offset));
  }
  lh(rd: number, offset: number, base: number) {
    return this.word(iType(0x03, rd, 1, base, offset));
  }
  lw(rd: number, offset: number, base: number) {
    return this.word(iType(0x03, rd, 2, base, offset));
  }
  lbu(rd: number, offset: number, base: number) {
    return this.word(iType(0x03, rd, 4, base, offset));
  }
  lhu(rd: number, offset: number, base: number) {
    return this.word(iType(0x03, rd, 5, base, offset));
  }
  sb(rs2: number, offset: number, base: number) {
    return this.word(sType(0x23, 0, base, rs2, offset));
  }
  sh(rs2: number, offset: number, base: number) {
    return this.word(sType(0x23, 1, base, rs2, offset));
  }
  sw(rs2: number, offset: number, base: number) {
    return this.word(sType(0x23, 2, base, rs2, offset));
  }

  // upper immediates, jumps, branches
  lui(rd: number, imm20: number) {
    return this.word(uType(0x37, rd, imm20));
  }
  auipc(rd: number, imm20: number) {
    return this.word(uType(0x17, rd, imm20));
  }
  jal(rd: number, target: Target) {
    const at = this.here;
    return this.relative(target, (o) => jType(rd, typeof target === 'number' ? o : o - at));
  }
  jalr(rd: number, base: number, offset = 0) {
    return this.word(iType(0x67, rd, 0, base, offset));
  }
  private branch(name: keyof typeof BRANCH_F3, a: number, b: number, target: Target): this {
    const at = this.here;
    return this.relative(target, (o) =>
      bType(BRANCH_F3[name], a, b, typeof target === 'number' ? o : o - at),
    );
  }
  beq(a: number, b: number, t: Target) {
    return this.branch('beq', a, b, t);
  }
  bne(a: number, b: number, t: Target) {
    return this.branch('bne', a, b, t);
  }
  blt(a: number, b: number, t: Target) {
    return this.branch('blt', a, b, t);
  }
  bge(a: number, b: number, t: Target) {
    return this.branch('bge', a, b, t);
  }
  bltu(a: number, b: number, t: Target) {
    return this.branch('bltu', a, b, t);
  }
  bgeu(a: number, b: number, t: Target) {
    return this.branch('bgeu', a, b, t);
  }

  // system
  fence() {
    return this.word(0x0ff0000f);
  }
  fenceI() {
    return this.word(0x0000100f);
  }
  ecall() {
    return this.word(0x00000073);
  }
  ebreak() {
    return this.word(0x00100073);
  }
  mret() {
    return this.word(0x30200073);
  }
  wfi() {
    return this.word(0x10500073);
  }
  csrrw(rd: number, csr: number, rs1: number) {
    return this.word(iType(0x73, rd, 1, rs1, csr));
  }
  csrrs(rd: number, csr: number, rs1: number) {
    return this.word(iType(0x73, rd, 2, rs1, csr));
  }
  csrrc(rd: number, csr: number, rs1: number) {
    return this.word(iType(0x73, rd, 3, rs1, csr));
  }
  csrrwi(rd: number, csr: number, uimm: number) {
    return this.word(iType(0x73, rd, 5, uimm, csr));
  }
  csrrsi(rd: number, csr: number, uimm: number) {
    return this.word(iType(0x73, rd, 6, uimm, csr));
  }
  csrrci(rd: number, csr: number, uimm: number) {
    return this.word(iType(0x73, rd, 7, uimm, csr));
  }

  // pseudo-instructions
  nop() {
    return this.addi(0, 0, 0);
  }
  mv(rd: number, rs: number) {
    return this.addi(rd, rs, 0);
  }
  j(target: Target) {
    return this.jal(0, target);
  }
  /** Load any 32-bit constant (always two instructions, so code size does not depend on it). */
  li(rd: number, value: number): this {
    const lo = (value << 20) >> 20;
    const hi = ((value - lo) >>> 12) & 0xfffff;
    return this.lui(rd, hi).addi(rd, rd, lo);
  }
  /** Load the address of a label (lui+addi, absolute). */
  la(rd: number, name: string): this {
    this.fixups.push({
      at: this.words.length,
      target: name,
      encode: (address) => uType(0x37, rd, ((address - ((address << 20) >> 20)) >>> 12) & 0xfffff),
    });
    this.word(0);
    this.fixups.push({
      at: this.words.length,
      target: name,
      encode: (a) => iType(0x13, rd, 0, rd, (a << 20) >> 20),
    });
    return this.word(0);
  }

  /** Resolve labels and return the little-endian bytes. */
  assemble(): Uint8Array {
    for (const fixup of this.fixups) this.words[fixup.at] = fixup.encode(this.address(fixup.target)) >>> 0;
    const bytes = new Uint8Array(this.words.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < this.words.length; i++) view.setUint32(i * 4, this.words[i]!, true);
    return bytes;
  }
}
