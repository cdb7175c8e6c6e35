// One RV32IM+Zicsr hart in machine mode. State lives in plain fields and typed arrays (registers in
// an Int32Array, RAM as Int32Array/Int16Array/Uint8Array views of one buffer) so that a compiled
// engine can share it. The CPU knows nothing of devices: RAM is reached directly, everything else
// through `Bus`. Traps are values: an exception sets mepc/mcause/mtval and moves pc to the
// handler; only an unhandleable trap stops the hart (`Stop.Fatal`).
import { assert } from '../base/assert.ts';
import { BUS_FAULT, type Bus, Counter } from './bus.ts';
import { add64, type Halves, offsetAfterWrite, splitCount } from './counters.ts';
import { Cause, Csr, MIE_MASK, MISA_VALUE, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP } from './csr.ts';
import { mulh, mulhsu, mulhu } from './multiply.ts';
import { PagedRamHash, RAM_HASH_PAGE_BYTES, RAM_HASH_PAGE_SHIFT } from './ram-hash.ts';

/** Why `Hart.run` returned. */
export const Stop = {
  /** `instret` reached the requested count exactly. */
  Limit: 0,
  /** The bus asked to stop (the guest wrote the exit device). */
  Exit: 1,
  /** `wfi` retired with no enabled interrupt pending. */
  Wfi: 2,
  /** A trap could not be taken; the hart is halted for good (`fatalReason` says why). */
  Fatal: 3,
} as const;
export type Stop = (typeof Stop)[keyof typeof Stop];

const NO_STOP = -1;
/** `run` executes in chunks so the countdown stays a small integer. */
const CHUNK_MAX = 1 << 30;
const TWO_POW_32 = 0x1_0000_0000;
/** Scratch for the counter CSRs (the CSR path runs one instruction at a time: no reentrancy). */
const countNow: Halves = { lo: 0, hi: 0 };
const counterOld: Halves = { lo: 0, hi: 0 };

export interface HartOptions {
  ramBase: number;
  ramSizeBytes: number;
  bus: Bus;
}

/** The CSR and bookkeeping fields that snapshot/restore and digests carry. */
export interface HartCsrState {
  mstatus: number;
  mie: number;
  mip: number;
  mtvec: number;
  mepc: number;
  mcause: number;
  mtval: number;
  mscratch: number;
  /** minstret = instret + this offset (mod 2^64), as unsigned halves; 0 until the guest writes it. */
  minstretOffsetLo: number;
  minstretOffsetHi: number;
  /** mcycle = the host's cycle count + this offset (mod 2^64). */
  mcycleOffsetLo: number;
  mcycleOffsetHi: number;
}

export class Hart {
  readonly regs = new Int32Array(32);
  /** Unsigned address of the next instruction. */
  pc = 0;
  /** Retired instructions, including ones that raised a synchronous exception. */
  instret = 0;

  mstatus = 0;
  mie = 0;
  /** Pending interrupt lines; the VM sets MTIP/MSIP/MEIP (they are read-only to the guest). */
  mip = 0;
  mtvec = 0;
  mepc = 0;
  mcause = 0;
  mtval = 0;
  mscratch = 0;
  minstretOffsetLo = 0;
  minstretOffsetHi = 0;
  mcycleOffsetLo = 0;
  mcycleOffsetHi = 0;

  readonly ramBase: number;
  readonly ramSizeBytes: number;
  readonly ram8: Uint8Array;
  readonly ram8s: Int8Array;
  readonly ram16: Uint16Array;
  readonly ram16s: Int16Array;
  readonly ram32: Int32Array;
  /** The RAM hash by pages; every store marks its page in `ramStale` (see ram-hash.ts). */
  private readonly ramPages: PagedRamHash;
  /** One flag per RAM page (`RAM_HASH_PAGE_BYTES`): set by every store into the page. */
  readonly ramStale: Uint8Array;

  bus: Bus;
  fatal = false;
  fatalReason = '';
  /** Where and when the last trap was entered: a trap raised right there is a trap-in-trap. */
  trapEntryInstret = -1;
  trapEntryPc = -1;
  private stopCode: number = NO_STOP;

  constructor(options: HartOptions) {
    assert(options.ramSizeBytes > 0 && options.ramSizeBytes % 4 === 0, 'RAM size must be a multiple of 4');
    assert(options.ramBase % 4 === 0 && options.ramBase >= 0, 'RAM base must be word-aligned');
    assert(options.ramBase + options.ramSizeBytes <= TWO_POW_32, 'RAM must fit the 32-bit address space');
    assert(new Uint8Array(new Uint32Array([1]).buffer)[0] === 1, 'the host must be little-endian');
    this.ramBase = options.ramBase;
    this.ramSizeBytes = options.ramSizeBytes;
    this.bus = options.bus;
    const buffer = new ArrayBuffer(options.ramSizeBytes);
    this.ram8 = new Uint8Array(buffer);
    this.ram8s = new Int8Array(buffer);
    this.ram16 = new Uint16Array(buffer);
    this.ram16s = new Int16Array(buffer);
    this.ram32 = new Int32Array(buffer);
    this.ramPages = new PagedRamHash(this.ram32);
    this.ramStale = this.ramPages.stale;
  }

  /** Sum of mixWord over RAM words (see ram-hash.ts); pages written since the last read are re-summed. */
  get ramHash(): number {
    return this.ramPages.value();
  }

  /**
   * Told about RAM writes that bypass the instruction stream (DMA, loaders, restore), so that a
   * compiled engine (src/rv32/jit) can drop code compiled from the old bytes. Offsets are RAM-relative.
   */
  ramWriteObserver: ((offset: number, lengthBytes: number) => void) | null = null;

  /** Called by the bus during a store: finish this instruction, then return `Stop.Exit`. */
  requestExit(): void {
    this.stopCode = Stop.Exit;
  }

  /**
   * Execute until `instret === untilInstret`, or exit / wfi / fatal. Interrupts are taken only at
   * instruction boundaries, including the one `run` starts at.
   */
  run(untilInstret: number): Stop {
    assert(Number.isSafeInteger(untilInstret), 'run: untilInstret must be an integer');
    assert(untilInstret >= this.instret, 'run: untilInstret is behind instret');
    if (this.fatal) return Stop.Fatal;
    this.stopCode = NO_STOP;
    for (;;) {
      if ((this.mip & this.mie) !== 0 && (this.mstatus & MSTATUS_MIE) !== 0) {
        if (!this.takeInterrupt()) return Stop.Fatal;
      }
      if (this.instret >= untilInstret) return Stop.Limit;
      this.execute(Math.min(untilInstret - this.instret, CHUNK_MAX));
      if (this.stopCode !== NO_STOP) return this.stopCode as Stop;
    }
  }

  // --- Hooks for the compiled engine (src/rv32/jit), which runs on this hart's state. ---

  /**
   * Interpret at most `count` instructions without checking interrupts (stops early like the
   * run loop's chunks do). Returns the stop code raised (`Stop`), or -1 for none.
   */
  interpret(count: number): number {
    assert(count > 0 && count <= CHUNK_MAX, 'interpret: count out of range');
    this.stopCode = NO_STOP;
    this.execute(count);
    return this.stopCode;
  }

  /** Take the pending enabled interrupt, if any, as `run` does at a boundary; false if halted. */
  pollInterrupt(): boolean {
    if ((this.mip & this.mie) === 0 || (this.mstatus & MSTATUS_MIE) === 0) return true;
    return this.takeInterrupt();
  }

  // --- RAM access for devices (DMA) and loaders; keeps the hash current. ---

  /** True when [address, address + length) lies in RAM. */
  inRam(address: number, length: number): boolean {
    const offset = address - this.ramBase;
    return offset >= 0 && length >= 0 && offset + length <= this.ramSizeBytes;
  }

  writeRam(address: number, data: Uint8Array): void {
    assert(this.inRam(address, data.length), 'writeRam outside RAM');
    const offset = address - this.ramBase;
    this.ram8.set(data, offset);
    this.ramPages.markWritten(offset, data.length);
    this.ramWriteObserver?.(offset, data.length);
  }

  readRam(address: number, length: number): Uint8Array {
    assert(this.inRam(address, length), 'readRam outside RAM');
    const offset = address - this.ramBase;
    return this.ram8.slice(offset, offset + length);
  }

  /**
   * Replace all of RAM (restore). Only pages whose bytes differ are copied, re-hashed and reported
   * to the write observer: compiled code of an unchanged page stays valid.
   */
  loadRamImage(image: Uint8Array): void {
    assert(image.length === this.ramSizeBytes, 'RAM image size mismatch');
    const ram8 = this.ram8;
    for (let offset = 0; offset < image.length; offset += RAM_HASH_PAGE_BYTES) {
      const end = Math.min(offset + RAM_HASH_PAGE_BYTES, image.length);
      if (samePage(ram8, image, offset, end)) continue;
      ram8.set(image.subarray(offset, end), offset);
      this.ramPages.markWritten(offset, end - offset);
      this.ramWriteObserver?.(offset, end - offset);
    }
  }

  // --- The interpreter. ---

  /**
   * Runs at most `count` instructions. Returns early, with state written back, after anything that
   * may change interrupt state or stop the hart (CSR access, MMIO, traps, mret, wfi). One function
   * on purpose: a single switch with numeric labels and locals is what V8 compiles best.
   */
  private execute(count: number): void {
    const regs = this.regs;
    const ram32 = this.ram32;
    const ram16 = this.ram16;
    const ram16s = this.ram16s;
    const ram8 = this.ram8;
    const ram8s = this.ram8s;
    const ramBase = this.ramBase;
    const ramSize = this.ramSizeBytes;
    const start = this.instret;
    const ramStale = this.ramStale;
    const base32 = ramBase | 0;
    // pc is kept as an offset from ramBase inside the loop (one subtraction less per fetch).
    let pc = (this.pc - ramBase) | 0;
    let left = count;
    loop: while (left > 0) {
      const fetchOffset = pc >>> 0;
      if (fetchOffset >= ramSize) {
        this.pc = (pc + base32) >>> 0;
        this.instret = start + count - left;
        this.exception(Cause.fetchAccess, this.pc);
        return;
      }
      const insn = ram32[fetchOffset >>> 2]!;
      const rd = (insn >> 7) & 31;
      switch (insn & 0x7f) {
        case 0x03: {
          // LOAD
          const address = (regs[(insn >> 15) & 31]! + (insn >> 20)) | 0;
          const offset = (address - ramBase) >>> 0;
          let value = 0;
          switch ((insn >> 12) & 7) {
            case 0:
              if (offset < ramSize) {
                value = ram8s[offset]!;
                break;
              }
              value = this.loadSlow(address, 1, start + count - left);
              if (value === BUS_FAULT) break loop;
              value = (value << 24) >> 24;
              break;
            case 1:
              if ((offset & 1) === 0 && offset < ramSize) {
                value = ram16s[offset >>> 1]!;
                break;
              }
              value = this.loadSlow(address, 2, start + count - left);
              if (value === BUS_FAULT) break loop;
              value = (value << 16) >> 16;
              break;
            case 2:
              if ((offset & 3) === 0 && offset < ramSize) {
                value = ram32[offset >>> 2]!;
                break;
              }
              value = this.loadSlow(address, 4, start + count - left);
              if (value === BUS_FAULT) break loop;
              value |= 0;
              break;
            case 4:
              if (offset < ramSize) {
                value = ram8[offset]!;
                break;
              }
              value = this.loadSlow(address, 1, start + count - left);
              if (value === BUS_FAULT) break loop;
              break;
            case 5:
              if ((offset & 1) === 0 && offset < ramSize) {
                value = ram16[offset >>> 1]!;
                break;
              }
              value = this.loadSlow(address, 2, start + count - left);
              if (value === BUS_FAULT) break loop;
              break;
            default:
              break loop;
          }
          regs[rd] = value;
          pc = (pc + 4) | 0;
          break;
        }
        case 0x0f: {
          // MISC-MEM: fence and fence.i are no-ops (no caches; the interpreter refetches).
          if (((insn >> 12) & 7) > 1) break loop;
          pc = (pc + 4) | 0;
          break;
        }
        case 0x13: {
          // OP-IMM
          const a = regs[(insn >> 15) & 31]!;
          const imm = insn >> 20;
          switch ((insn >> 12) & 7) {
            case 0:
              regs[rd] = (a + imm) | 0;
              break;
            case 1:
              if (insn >>> 25 !== 0) break loop;
              regs[rd] = a << imm;
              break;
            case 2:
              regs[rd] = a < imm ? 1 : 0;
              break;
            case 3:
              regs[rd] = a >>> 0 < imm >>> 0 ? 1 : 0;
              break;
            case 4:
              regs[rd] = a ^ imm;
              break;
            case 5:
              if (insn >>> 25 === 0) regs[rd] = a >>> imm;
              else if (insn >>> 25 === 0x20) regs[rd] = a >> imm;
              else break loop;
              break;
            case 6:
              regs[rd] = a | imm;
              break;
            case 7:
              regs[rd] = a & imm;
              break;
          }
          pc = (pc + 4) | 0;
          break;
        }
        case 0x17:
          // AUIPC
          regs[rd] = (pc + base32 + (insn & 0xfffff000)) | 0;
          pc = (pc + 4) | 0;
          break;
        case 0x23: {
          // STORE
          const address = (regs[(insn >> 15) & 31]! + (((insn >> 25) << 5) | ((insn >>> 7) & 31))) | 0;
          const value = regs[(insn >> 20) & 31]!;
          const offset = (address - ramBase) >>> 0;
          const f3 = (insn >> 12) & 7;
          if (f3 === 2) {
            if ((offset & 3) === 0 && offset < ramSize) {
              ram32[offset >>> 2] = value;
              ramStale[offset >>> RAM_HASH_PAGE_SHIFT] = 1;
              pc = (pc + 4) | 0;
              break;
            }
          } else if (f3 === 0) {
            if (offset < ramSize) {
              ram8[offset] = value;
              ramStale[offset >>> RAM_HASH_PAGE_SHIFT] = 1;
              pc = (pc + 4) | 0;
              break;
            }
          } else if (f3 === 1) {
            if ((offset & 1) === 0 && offset < ramSize) {
              ram16[offset >>> 1] = value;
              ramStale[offset >>> RAM_HASH_PAGE_SHIFT] = 1;
              pc = (pc + 4) | 0;
              break;
            }
          } else {
            break loop;
          }
          // Misaligned or outside RAM: the general path, then back to the run loop (MMIO may
          // have changed interrupt lines or asked to exit).
          this.pc = (pc + base32) >>> 0;
          this.instret = start + count - left;
          this.storeSlow(address, f3 === 0 ? 1 : f3 === 1 ? 2 : 4, value);
          return;
        }
        case 0x33: {
          // OP
          const a = regs[(insn >> 15) & 31]!;
          const b = regs[(insn >> 20) & 31]!;
          switch (insn >>> 25) {
            case 0:
              switch ((insn >> 12) & 7) {
                case 0:
                  regs[rd] = (a + b) | 0;
                  break;
                case 1:
                  regs[rd] = a << b;
                  break;
                case 2:
                  regs[rd] = a < b ? 1 : 0;
                  break;
                case 3:
                  regs[rd] = a >>> 0 < b >>> 0 ? 1 : 0;
                  break;
                case 4:
                  regs[rd] = a ^ b;
                  break;
                case 5:
                  regs[rd] = a >>> b;
                  break;
                case 6:
                  regs[rd] = a | b;
                  break;
                case 7:
                  regs[rd] = a & b;
                  break;
              }
              break;
            case 0x20:
              switch ((insn >> 12) & 7) {
                case 0:
                  regs[rd] = (a - b) | 0;
                  break;
                case 5:
                  regs[rd] = a >> b;
                  break;
                default:
                  break loop;
              }
              break;
            case 1:
              switch ((insn >> 12) & 7) {
                case 0:
                  regs[rd] = Math.imul(a, b);
                  break;
                case 1:
                  regs[rd] = mulh(a, b);
                  break;
                case 2:
                  regs[rd] = mulhsu(a, b);
                  break;
                case 3:
                  regs[rd] = mulhu(a, b);
                  break;
                case 4:
                  regs[rd] = b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : (a / b) | 0;
                  break;
                case 5:
                  regs[rd] = b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0;
                  break;
                case 6:
                  regs[rd] = b === 0 ? a : b === -1 ? 0 : (a % b) | 0;
                  break;
                case 7:
                  regs[rd] = b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
                  break;
              }
              break;
            default:
              break loop;
          }
          pc = (pc + 4) | 0;
          break;
        }
        case 0x37:
          // LUI
          regs[rd] = insn & 0xfffff000;
          pc = (pc + 4) | 0;
          break;
        case 0x63: {
          // BRANCH
          const a = regs[(insn >> 15) & 31]!;
          const b = regs[(insn >> 20) & 31]!;
          let taken: boolean;
          switch ((insn >> 12) & 7) {
            case 0:
              taken = a === b;
              break;
            case 1:
              taken = a !== b;
              break;
            case 4:
              taken = a < b;
              break;
            case 5:
              taken = a >= b;
              break;
            case 6:
              taken = a >>> 0 < b >>> 0;
              break;
            case 7:
              taken = a >>> 0 >= b >>> 0;
              break;
            default:
              break loop;
          }
          if (taken) {
            const target =
              (pc +
                (((insn >> 31) << 12) |
                  ((insn << 4) & 0x800) |
                  ((insn >>> 20) & 0x7e0) |
                  ((insn >>> 7) & 0x1e))) |
              0;
            if ((target & 3) !== 0) break loop;
            pc = target;
          } else {
            pc = (pc + 4) | 0;
          }
          break;
        }
        case 0x67: {
          // JALR
          if (((insn >> 12) & 7) !== 0) break loop;
          const target = ((regs[(insn >> 15) & 31]! + (insn >> 20)) & ~1) | 0;
          if ((target & 3) !== 0) break loop;
          regs[rd] = (pc + base32 + 4) | 0;
          pc = (target - base32) | 0;
          break;
        }
        case 0x6f: {
          // JAL
          const target =
            (pc +
              (((insn >> 31) << 20) | (insn & 0xff000) | ((insn >>> 9) & 0x800) | ((insn >>> 20) & 0x7fe))) |
            0;
          if ((target & 3) !== 0) break loop;
          regs[rd] = (pc + base32 + 4) | 0;
          pc = target;
          break;
        }
        case 0x73:
          // SYSTEM: always the general path.
          this.pc = (pc + base32) >>> 0;
          this.instret = start + count - left;
          this.system(insn);
          return;
        default:
          break loop;
      }
      regs[0] = 0;
      left--;
    }
    this.pc = (pc + base32) >>> 0;
    this.instret = start + count - left;
    if (left > 0) this.raiseForInstruction(insn32At(ram32, pc >>> 0));
  }

  /**
   * The instruction at pc could not complete on the fast path and was not retired: it is
   * illegal, jumps to a misaligned target, or its load faulted. Work out which and trap.
   */
  private raiseForInstruction(insn: number): void {
    const pc = this.pc;
    const regs = this.regs;
    switch (insn & 0x7f) {
      case 0x03: {
        const f3 = (insn >> 12) & 7;
        if (f3 === 3 || f3 > 5) break;
        this.exception(Cause.loadAccess, (regs[(insn >> 15) & 31]! + (insn >> 20)) >>> 0);
        return;
      }
      case 0x63: {
        const f3 = (insn >> 12) & 7;
        if (f3 === 2 || f3 === 3) break;
        const offset =
          ((insn >> 31) << 12) | ((insn << 4) & 0x800) | ((insn >>> 20) & 0x7e0) | ((insn >>> 7) & 0x1e);
        this.exception(Cause.misalignedFetch, (pc + offset) >>> 0);
        return;
      }
      case 0x67:
        if (((insn >> 12) & 7) !== 0) break;
        this.exception(Cause.misalignedFetch, ((regs[(insn >> 15) & 31]! + (insn >> 20)) & ~1) >>> 0);
        return;
      case 0x6f: {
        const offset =
          ((insn >> 31) << 20) | (insn & 0xff000) | ((insn >>> 9) & 0x800) | ((insn >>> 20) & 0x7fe);
        this.exception(Cause.misalignedFetch, (pc + offset) >>> 0);
        return;
      }
    }
    this.exception(Cause.illegalInstruction, insn >>> 0);
  }

  // --- General (slow) memory paths: misaligned accesses bytewise, MMIO through the bus. ---

  /** Zero-extended value, or BUS_FAULT. Misaligned RAM accesses are performed bytewise. */
  private loadSlow(address: number, size: 1 | 2 | 4, instret: number): number {
    const unsigned = address >>> 0;
    if (this.inRam(unsigned, size)) {
      const offset = unsigned - this.ramBase;
      let value = 0;
      for (let i = size - 1; i >= 0; i--) value = (value << 8) | this.ram8[offset + i]!;
      return value >>> 0;
    }
    this.instret = instret;
    return this.bus.load(unsigned, size, instret);
  }

  /** Performs a store at pc that missed the fast path, retiring it or raising the fault. */
  private storeSlow(address: number, size: 1 | 2 | 4, value: number): void {
    const unsigned = address >>> 0;
    if (this.inRam(unsigned, size)) {
      const offset = unsigned - this.ramBase;
      for (let i = 0; i < size; i++) this.ram8[offset + i] = (value >>> (8 * i)) & 0xff;
      this.ramPages.markWritten(offset, size);
    } else {
      const mask = size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
      if (!this.bus.store(unsigned, size, (value & mask) >>> 0, this.instret)) {
        this.exception(Cause.storeAccess, unsigned);
        return;
      }
    }
    this.retire();
  }

  private retire(): void {
    this.pc = (this.pc + 4) >>> 0;
    this.instret++;
  }

  // --- SYSTEM: CSRs, ecall, ebreak, mret, wfi. ---

  private system(insn: number): void {
    const f3 = (insn >> 12) & 7;
    const rd = (insn >> 7) & 31;
    const rs1 = (insn >> 15) & 31;
    if (f3 === 0) {
      this.privileged(insn >>> 20, rd, rs1, insn);
      return;
    }
    if (f3 === 4) {
      this.exception(Cause.illegalInstruction, insn >>> 0);
      return;
    }
    const csr = insn >>> 20;
    const source = f3 >= 5 ? rs1 : this.regs[rs1]!;
    const op = f3 & 3;
    // csrrw with rd = x0 does not read; csrrs/csrrc with a zero source field do not write.
    const reads = op !== 1 || rd !== 0;
    const writes = op === 1 || rs1 !== 0;
    if (!this.csrExists(csr) || (writes && csr >>> 10 === 3)) {
      this.exception(Cause.illegalInstruction, insn >>> 0);
      return;
    }
    if (isCounterCsr(csr)) {
      this.counterCsr(csr, op, source, rd, writes);
      return;
    }
    const old = reads ? this.readCsr(csr) : 0;
    if (writes) this.writeCsr(csr, op === 1 ? source : op === 2 ? old | source : old & ~source);
    if (rd !== 0) this.regs[rd] = old;
    this.retire();
  }

  /**
   * cycle/instret and their machine-mode writable forms. A write replaces one half of the 64-bit
   * counter "instead of the increment": the next instruction reads exactly what was written.
   * Only the offset changes; `instret` itself stays the monotonic count replay is stamped with.
   */
  private counterCsr(csr: number, op: number, source: number, rd: number, writes: boolean): void {
    const cycle = (csr & 0x7f) === 0;
    const high = (csr & 0x80) !== 0;
    if (cycle) this.hostCycles(high, writes);
    else splitCount(this.instret, countNow);
    const offsetLo = cycle ? this.mcycleOffsetLo : this.minstretOffsetLo;
    const offsetHi = cycle ? this.mcycleOffsetHi : this.minstretOffsetHi;
    add64(countNow.lo, countNow.hi, offsetLo, offsetHi, counterOld);
    const old = high ? counterOld.hi : counterOld.lo;
    if (writes) {
      const value = (op === 1 ? source : op === 2 ? old | source : old & ~source) >>> 0;
      const targetLo = high ? counterOld.lo : value;
      const targetHi = high ? value : counterOld.hi;
      const offset = offsetAfterWrite(targetLo, targetHi, countNow.lo, countNow.hi, counterOld);
      if (cycle) {
        this.mcycleOffsetLo = offset.lo;
        this.mcycleOffsetHi = offset.hi;
      } else {
        this.minstretOffsetLo = offset.lo;
        this.minstretOffsetHi = offset.hi;
      }
    }
    if (rd !== 0) this.regs[rd] = old | 0;
    this.retire();
  }

  /**
   * The host's cycle count into `countNow`, with only the bus reads needed (each one is a logged
   * nondeterministic read): a plain read of one half of a never-written counter reads that half
   * alone, as before mcycle was writable; the high half of an offset counter needs the low half
   * for the carry; a write needs both.
   */
  private hostCycles(high: boolean, writes: boolean): void {
    const needLo = writes || !high || this.mcycleOffsetLo !== 0;
    const needHi = writes || high;
    countNow.lo = needLo ? this.bus.readCounter(Counter.CycleLo, this.instret) >>> 0 : 0;
    countNow.hi = needHi ? this.bus.readCounter(Counter.CycleHi, this.instret) >>> 0 : 0;
  }

  private privileged(funct12: number, rd: number, rs1: number, insn: number): void {
    if (rd !== 0 || rs1 !== 0) {
      this.exception(Cause.illegalInstruction, insn >>> 0);
      return;
    }
    switch (funct12) {
      case 0x000:
        this.exception(Cause.ecallM, 0);
        return;
      case 0x001:
        this.exception(Cause.breakpoint, 0); // mtval 0, as QEMU does (the spec allows 0 or pc)
        return;
      case 0x302: {
        const mpie = (this.mstatus & MSTATUS_MPIE) !== 0;
        this.mstatus = (this.mstatus & ~MSTATUS_MIE) | (mpie ? MSTATUS_MIE : 0) | MSTATUS_MPIE;
        this.pc = this.mepc >>> 0;
        this.instret++;
        return;
      }
      case 0x105:
        this.retire();
        if ((this.mip & this.mie) === 0) this.stopCode = Stop.Wfi;
        return;
      default:
        this.exception(Cause.illegalInstruction, insn >>> 0);
    }
  }

  private csrExists(csr: number): boolean {
    switch (csr) {
      case Csr.mstatus:
      case Csr.misa:
      case Csr.mie:
      case Csr.mtvec:
      case Csr.mscratch:
      case Csr.mepc:
      case Csr.mcause:
      case Csr.mtval:
      case Csr.mip:
      case Csr.mvendorid:
      case Csr.marchid:
      case Csr.mimpid:
      case Csr.mhartid:
      case Csr.cycle:
      case Csr.time:
      case Csr.instret:
      case Csr.cycleh:
      case Csr.timeh:
      case Csr.instreth:
      case Csr.mcycle:
      case Csr.minstret:
      case Csr.mcycleh:
      case Csr.minstreth:
        return true;
      default:
        return false;
    }
  }

  /** Reads a CSR (which must exist, and not be a counter) as an int32 bit pattern. */
  private readCsr(csr: number): number {
    switch (csr) {
      case Csr.mstatus:
        return this.mstatus | MSTATUS_MPP;
      case Csr.misa:
        return MISA_VALUE;
      case Csr.mie:
        return this.mie;
      case Csr.mtvec:
        return this.mtvec | 0;
      case Csr.mscratch:
        return this.mscratch | 0;
      case Csr.mepc:
        return this.mepc | 0;
      case Csr.mcause:
        return this.mcause | 0;
      case Csr.mtval:
        return this.mtval | 0;
      case Csr.mip:
        return this.mip;
      case Csr.mvendorid:
      case Csr.marchid:
      case Csr.mimpid:
      case Csr.mhartid:
        return 0;
      case Csr.time:
        return this.bus.readCounter(Counter.TimeLo, this.instret) | 0;
      case Csr.timeh:
        return this.bus.readCounter(Counter.TimeHi, this.instret) | 0;
    }
    assert(false, `readCsr: no CSR 0x${csr.toString(16)}`);
  }

  /** Writes a CSR (WARL: bits that do not exist are dropped). */
  private writeCsr(csr: number, value: number): void {
    switch (csr) {
      case Csr.mstatus:
        this.mstatus = value & (MSTATUS_MIE | MSTATUS_MPIE);
        return;
      case Csr.mie:
        this.mie = value & MIE_MASK;
        return;
      case Csr.mtvec:
        // Modes 0 (direct) and 1 (vectored); the base is word-aligned.
        this.mtvec = ((value & ~3) | (value & 1)) >>> 0;
        return;
      case Csr.mscratch:
        this.mscratch = value >>> 0;
        return;
      case Csr.mepc:
        this.mepc = (value & ~3) >>> 0;
        return;
      case Csr.mcause:
        this.mcause = value >>> 0;
        return;
      case Csr.mtval:
        this.mtval = value >>> 0;
        return;
      // misa is WARL with nothing writable; mip's bits are driven by the VM.
    }
  }

  // --- Traps. ---

  /** Raise a synchronous exception for the instruction at pc (it counts as executed). */
  private exception(cause: number, tval: number): void {
    if (this.instret === this.trapEntryInstret && this.pc === this.trapEntryPc) {
      this.halt(`trap while entering a trap: cause ${cause} at the vector 0x${hex(this.pc)}`);
      return;
    }
    const target = (this.mtvec & ~3) >>> 0;
    if (!this.enterTrap(cause, tval, this.pc, target)) return;
    this.instret++;
    this.trapEntryInstret = this.instret;
  }

  /** Take the highest-priority enabled pending interrupt (MEI > MSI > MTI). */
  private takeInterrupt(): boolean {
    const pending = this.mip & this.mie;
    const code = pending & (1 << 11) ? 11 : pending & (1 << 3) ? 3 : 7;
    const base = (this.mtvec & ~3) >>> 0;
    const target = (this.mtvec & 1) === 1 ? (base + 4 * code) >>> 0 : base;
    if (!this.enterTrap((0x80000000 | code) >>> 0, 0, this.pc, target)) return false;
    this.trapEntryInstret = this.instret;
    return true;
  }

  private enterTrap(cause: number, tval: number, epc: number, target: number): boolean {
    if (!this.inRam(target, 4)) {
      this.halt(`trap vector 0x${hex(target)} is unmapped (mcause 0x${hex(cause)}, pc 0x${hex(epc)})`);
      return false;
    }
    this.mepc = epc;
    this.mcause = cause;
    this.mtval = tval;
    const mie = (this.mstatus & MSTATUS_MIE) !== 0;
    this.mstatus = (this.mstatus & ~(MSTATUS_MIE | MSTATUS_MPIE)) | (mie ? MSTATUS_MPIE : 0);
    this.pc = target;
    this.trapEntryPc = target;
    return true;
  }

  private halt(reason: string): void {
    this.fatal = true;
    this.fatalReason = reason;
    this.stopCode = Stop.Fatal;
  }

  // --- State for snapshots. ---

  getCsrState(): HartCsrState {
    return {
      mstatus: this.mstatus,
      mie: this.mie,
      mip: this.mip,
      mtvec: this.mtvec,
      mepc: this.mepc,
      mcause: this.mcause,
      mtval: this.mtval,
      mscratch: this.mscratch,
      minstretOffsetLo: this.minstretOffsetLo,
      minstretOffsetHi: this.minstretOffsetHi,
      mcycleOffsetLo: this.mcycleOffsetLo,
      mcycleOffsetHi: this.mcycleOffsetHi,
    };
  }

  setCsrState(state: HartCsrState): void {
    this.mstatus = state.mstatus;
    this.mie = state.mie;
    this.mip = state.mip;
    this.mtvec = state.mtvec;
    this.mepc = state.mepc;
    this.mcause = state.mcause;
    this.mtval = state.mtval;
    this.mscratch = state.mscratch;
    this.minstretOffsetLo = state.minstretOffsetLo;
    this.minstretOffsetHi = state.minstretOffsetHi;
    this.mcycleOffsetLo = state.mcycleOffsetLo;
    this.mcycleOffsetHi = state.mcycleOffsetHi;
  }
}

/** cycle, instret (0xc00/0xc02), their high halves (0xc80/0xc82) and the mcycle/minstret forms. */
function isCounterCsr(csr: number): boolean {
  switch (csr) {
    case Csr.cycle:
    case Csr.instret:
    case Csr.cycleh:
    case Csr.instreth:
    case Csr.mcycle:
    case Csr.minstret:
    case Csr.mcycleh:
    case Csr.minstreth:
      return true;
    default:
      return false;
  }
}

function insn32At(ram32: Int32Array, offset: number): number {
  return ram32[offset >>> 2]!;
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** True when RAM bytes [offset, end) already hold the image's bytes (words while both are aligned). */
function samePage(ram8: Uint8Array, image: Uint8Array, offset: number, end: number): boolean {
  let i = offset;
  if ((image.byteOffset & 3) === 0 && (offset & 3) === 0) {
    const ram32 = new Int32Array(ram8.buffer, ram8.byteOffset + offset, (end - offset) >>> 2);
    const image32 = new Int32Array(image.buffer, image.byteOffset + offset, (end - offset) >>> 2);
    for (let w = 0; w < ram32.length; w++) if (ram32[w] !== image32[w]) return false;
    i = offset + ram32.length * 4;
  }
  for (; i < end; i++) if (ram8[i] !== image[i]) return false;
  return true;
}
