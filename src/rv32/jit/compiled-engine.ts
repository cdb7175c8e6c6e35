// The compiled execution engine: runs a Hart's guest code as compiled JavaScript blocks, with the
// same `run(untilInstret)` contract as `Hart.run` (exact stop, interrupts only at boundaries, the
// same traps, bus calls and RAM hash). Everything that is not plain RAM/ALU/control flow runs in the
// hart's own interpreter one instruction at a time, so traps, CSRs, MMIO and nondeterministic reads
// have a single implementation. When a block is longer than the instructions left before the stop
// point, its tail is single-stepped by the interpreter.
import { assert } from '../../base/assert.ts';
import { type Hart, Stop } from '../hart.ts';
import { BLOCK_WORDS_MAX } from './block-compiler.ts';
import type { BlockTemplates } from './block-templates.ts';
import { CodeCache } from './code-cache.ts';

const NO_STOP = -1;
/** What the dispatcher does after leaving its block loop. */
const Next = { Return: 0, Step: 1, Cold: 2, Tail: 3 } as const;
type Next = (typeof Next)[keyof typeof Next];
/** Instructions per dispatcher call: returning to `run` now and then keeps V8's code for it fast. */
const DISPATCH_SLICE = 1 << 22;

export interface CompiledEngineOptions {
  /** Entries into a block start interpreted before compiling it; default 2 (tests use 0). */
  interpretedEntriesBeforeCompile?: number;
  /** Where translations are shared; default the process-wide registry of the hart's RAM layout. */
  templates?: BlockTemplates;
}

export class CompiledEngine {
  readonly hart: Hart;
  readonly cache: CodeCache;
  private readonly ramBase: number;
  private readonly ramSizeBytes: number;

  constructor(hart: Hart, options: CompiledEngineOptions = {}) {
    this.hart = hart;
    this.cache = new CodeCache(hart, options.interpretedEntriesBeforeCompile, options.templates);
    this.ramBase = hart.ramBase;
    this.ramSizeBytes = hart.ramSizeBytes;
    hart.ramWriteObserver = (offset, lengthBytes) => this.cache.invalidateRange(offset, lengthBytes);
  }

  /** Same contract as `Hart.run`. */
  run(untilInstret: number): Stop {
    const hart = this.hart;
    assert(Number.isSafeInteger(untilInstret), 'run: untilInstret must be an integer');
    assert(untilInstret >= hart.instret, 'run: untilInstret is behind instret');
    if (hart.fatal) return Stop.Fatal;
    for (;;) {
      if (!hart.pollInterrupt()) return Stop.Fatal;
      const left = untilInstret - hart.instret;
      if (left <= 0) return Stop.Limit;
      const stop = this.dispatch(Math.min(left, DISPATCH_SLICE));
      if (stop !== NO_STOP) return stop as Stop;
    }
  }

  /**
   * Runs compiled blocks for at most `budget` instructions. Returns after the first instruction
   * the interpreter executes (it may have changed interrupt state) with its stop code or NO_STOP.
   */
  private dispatch(budget: number): number {
    const hart = this.hart;
    const cache = this.cache;
    let lengths = cache.lengths;
    let windowBytes = lengths.length << 2;
    const functions = cache.functions;
    const exitOffset = cache.exitOffset;
    const env = cache.environment;
    const ramBase = this.ramBase;
    const ramSize = this.ramSizeBytes;
    const startInstret = hart.instret;
    // pc as an int32 RAM offset while blocks chain; written back to the hart on the way out.
    let offset = (hart.pc - ramBase) | 0;
    let left = budget;
    let next: Next = Next.Return;
    let start = 0;
    while (left > 0) {
      if (offset >>> 0 >= windowBytes || (offset & 3) !== 0) {
        if (offset >>> 0 >= ramSize || (offset & 3) !== 0) {
          next = Next.Step;
          break;
        }
        cache.grow(offset >>> 2);
        lengths = cache.lengths;
        windowBytes = lengths.length << 2;
        continue;
      }
      start = offset >>> 2;
      let length = lengths[start]!;
      if (length === 0) {
        length = cache.enter(start);
        if (length === 0) {
          next = Next.Cold;
          break;
        }
      }
      if (length <= 0 || length > left) {
        next = length <= 0 ? Next.Step : Next.Tail;
        break;
      }
      const result = functions[start]!(env, left);
      offset = exitOffset[0]!;
      if (result < 0) {
        left += result + 1;
        next = Next.Step;
        break;
      }
      left -= result;
    }
    hart.pc = (offset + ramBase) >>> 0;
    hart.instret = startInstret + (budget - left);
    switch (next) {
      case Next.Step:
        return this.step();
      case Next.Cold:
        return this.runCold(start, left);
      case Next.Tail:
        return this.runTail(start, left);
      default:
        return NO_STOP;
    }
  }

  /**
   * The block at `start` is longer than the `left` instructions before the stop point: run that
   * prefix in the interpreter, in one call when it holds no store (the interpreter's own stores do
   * not invalidate compiled code), else one instruction at a time.
   */
  private runTail(start: number, left: number): number {
    if (left <= this.cache.storeFreePrefix[start]!) return this.hart.interpret(left);
    return this.step();
  }

  /**
   * Code not compiled yet: interpret its straight-line run up to the first store (exclusive) or
   * control transfer (inclusive) in one call, or a leading store alone.
   */
  private runCold(start: number, left: number): number {
    const ram32 = this.hart.ram32;
    const limit = Math.min(left, BLOCK_WORDS_MAX, ram32.length - start);
    let count = 0;
    while (count < limit) {
      const opcode = ram32[start + count]! & 0x7f;
      if (opcode === 0x23) break;
      count++;
      if (opcode === 0x63 || opcode === 0x67 || opcode === 0x6f || opcode === 0x73 || opcode === 0x0f) break;
    }
    return count === 0 ? this.step() : this.hart.interpret(count);
  }

  /** One instruction in the interpreter; a store it makes into compiled code invalidates that code. */
  private step(): number {
    const hart = this.hart;
    const offset = (hart.pc - this.ramBase) >>> 0;
    let storeOffset = -1;
    let storeBytes = 0;
    if (offset < this.ramSizeBytes && (offset & 3) === 0) {
      const insn = hart.ram32[offset >>> 2]!;
      if ((insn & 0x7f) === 0x23) {
        const imm = ((insn >> 25) << 5) | ((insn >>> 7) & 31);
        storeOffset = (hart.regs[(insn >> 15) & 31]! + imm - this.ramBase) >>> 0;
        storeBytes = 1 << ((insn >> 12) & 3);
      }
    }
    const stop = hart.interpret(1);
    if (storeOffset >= 0 && storeOffset < this.ramSizeBytes) {
      this.cache.invalidateRange(storeOffset, Math.min(storeBytes, this.ramSizeBytes - storeOffset));
    }
    return stop;
  }

  /** Forget all compiled code (e.g. after the host rewrote RAM without going through the hart). */
  flush(): void {
    this.cache.flush();
  }

  /** Detach from the hart (stop observing its RAM writes). */
  detach(): void {
    if (this.hart.ramWriteObserver !== null) this.hart.ramWriteObserver = null;
  }
}
