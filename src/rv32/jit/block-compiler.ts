// Compiles one guest basic block (straight-line code up to a branch, jump, fence.i, an instruction
// the compiled path does not execute, or a length cap) into a JavaScript function via `new Function`.
// Registers the block uses are read into locals on entry and the written ones stored back on
// every exit; a store marks its page of the RAM hash stale (ram-hash.ts). A block whose final
// branch or jump targets its own start iterates inside the function while the caller's
// instruction budget allows.
//
// A block function takes the hart's environment (its RAM views, registers and the engine's hooks)
// and the instruction budget (>= its length) and returns the instructions it retired, with
// `env.exitOffset[0]` set to where execution continues (pc - RAM base, as an int32). A
// negative result `-(k) - 1` means `k` instructions retired and the one there must run in the
// interpreter (it needs the bus,
// traps, or is a store into compiled code that must be replayed exactly).
import { assert } from '../../base/assert.ts';
import type { Hart } from '../hart.ts';
import { mulh, mulhsu, mulhu } from '../multiply.ts';
import { type TranslateContext, translate } from './translate.ts';

/**
 * One function per translation, shared by every hart: the hart's arrays come in `env`. (Closures
 * bound per hart did not share V8's feedback: each VM's blocks were warmed up and optimised again,
 * so the short-lived VMs of a fuzz campaign ran guest code mostly in V8's lower tiers.)
 */
export type BlockFunction = (env: BlockEnvironment, budget: number) => number;

/** The longest block compiled (words); also bounds how far back invalidation must look. */
export const BLOCK_WORDS_MAX = 64;

export interface CompiledBlock {
  fn: BlockFunction;
  /** Instructions in one pass through the block (0: the first instruction is not compiled). */
  length: number;
  /** True when the block iterates inside its function. */
  loops: boolean;
  /** Index of the first store in the block (`length` if none): a shorter prefix can run elsewhere. */
  firstStore: number;
  source: string;
}

/**
 * Everything the generated code reads of one hart, fixed for the life of the hart. Always made by
 * `blockEnvironment` (one property order: one shape for V8 across all harts).
 */
export interface BlockEnvironment {
  readonly hart: Hart;
  readonly regs: Int32Array;
  readonly ram8: Uint8Array;
  readonly ram8s: Int8Array;
  readonly ram16: Uint16Array;
  readonly ram16s: Int16Array;
  readonly ram32: Int32Array;
  readonly ramStale: Uint8Array;
  readonly codeWords: Uint8Array;
  /** Called (with the RAM word index) when a compiled store hits a word covered by code. */
  readonly onCodeWrite: (wordIndex: number) => void;
  /** Where a block leaves the next pc, as an int32 RAM offset (no float field write per block). */
  readonly exitOffset: Int32Array;
}

/** The environment blocks run in on `hart`. */
export function blockEnvironment(
  hart: Hart,
  codeWords: Uint8Array,
  onCodeWrite: (wordIndex: number) => void,
  exitOffset: Int32Array,
): BlockEnvironment {
  return {
    hart,
    regs: hart.regs,
    ram8: hart.ram8,
    ram8s: hart.ram8s,
    ram16: hart.ram16,
    ram16s: hart.ram16s,
    ram32: hart.ram32,
    ramStale: hart.ramStale,
    codeWords,
    onCodeWrite,
    exitOffset,
  };
}

/** The names a block reads from its environment (each declared only where the block uses it). */
const ENVIRONMENT_NAMES = [
  'hart',
  'regs',
  'ram8',
  'ram8s',
  'ram16',
  'ram16s',
  'ram32',
  'ramStale',
  'codeWords',
  'onCodeWrite',
  'exitOffset',
] as const;

/**
 * A translated block, independent of any hart: its code is a function of the instruction words it
 * was translated from and the RAM layout (base and size are constants in it). Every hart whose RAM
 * holds the same words at the same start calls the same `fn` with its own environment, so V8
 * parses, profiles and optimises the block once per process, not once per VM.
 */
export interface BlockTemplate {
  /** RAM word index of the block's first instruction. */
  readonly start: number;
  /** The words translated (`max(length, 1)` of them): a hart may use the block only where its RAM holds these. */
  readonly words: Int32Array;
  /** Instructions in one pass (0: the first instruction is not compiled; `factory` is null). */
  readonly length: number;
  readonly loops: boolean;
  /** Index of the first store (`length` if none). */
  readonly firstStore: number;
  readonly source: string;
  /** The block's function (null for length 0). */
  readonly fn: BlockFunction | null;
}

/** What the generated code gets from the module, the same for every hart. */
const FACTORY_PARAMETERS = ['mulh', 'mulhsu', 'mulhu'];

/** The RAM layout a template is compiled against (constants in its code). */
export interface RamLayout {
  ramBase: number;
  ramSizeBytes: number;
}

/** Decodes and translates the block starting at RAM word `startIndex` of `ram32`. */
export function translateBlock(layout: RamLayout, ram32: Int32Array, startIndex: number): BlockTemplate {
  const ramBase = layout.ramBase;
  const ramWords = layout.ramSizeBytes >>> 2;
  assert(ram32.length === ramWords, 'translateBlock: RAM size differs from the layout');
  assert(startIndex >= 0 && startIndex < ramWords, 'translateBlock: start outside RAM');
  const startPc = (ramBase + startIndex * 4) >>> 0;
  /** Blocks report where to continue as an int32 RAM offset (pc - RAM base, wrapped). */
  const offset = (pc: number): number => (pc - ramBase) | 0;
  let loops = false;
  const used = new Set<number>();
  const written = new Set<number>();
  const body: string[] = [];
  let firstStore = -1;
  let length = 0;
  let terminated = false;
  const ctx: TranslateContext = {
    ramBase,
    ramSizeBytes: layout.ramSizeBytes,
    index: 0,
    pc: startPc,
    leave: (retired, next) => `{ result = n + ${retired}; next = ${offset(next)}; break exit; }`,
    leaveComputed: (retired, address) =>
      `{ result = n + ${retired}; next = (${address} + ${-ramBase | 0}) | 0; break exit; }`,
    bail: () => `{ result = -(n + ${ctx.index}) - 1; next = ${offset(ctx.pc)}; break exit; }`,
    jump: (retired, target) => {
      if (target !== startPc) return `{ result = n + ${retired}; next = ${offset(target)}; break exit; }`;
      loops = true;
      return `n += ${retired}; if (n + ${retired} > budget) { result = n; next = ${offset(startPc)}; break exit; } continue exit;`;
    },
    fallThroughStays: false,
  };
  while (!terminated && length < BLOCK_WORDS_MAX && startIndex + length < ramWords) {
    const insn = ram32[startIndex + length]!;
    ctx.index = length;
    ctx.pc = (startPc + length * 4) >>> 0;
    ctx.fallThroughStays = (insn & 0x7f) === 0x63 && jumpsBackToStart(ram32, startIndex, length + 1);
    const translation = translate(insn, ctx);
    if (translation === null) break;
    for (const r of translation.reads) if (r !== 0) used.add(r);
    for (const r of translation.writes) {
      used.add(r);
      written.add(r);
    }
    if ((insn & 0x7f) === 0x23 && firstStore < 0) firstStore = length;
    body.push(translation.code);
    terminated = translation.terminator;
    length++;
  }
  const words = ram32.slice(startIndex, startIndex + Math.max(length, 1));
  if (length === 0) {
    return { start: startIndex, words, length: 0, loops: false, firstStore: 0, source: '', fn: null };
  }
  const hasStores = firstStore >= 0;
  const endPc = (startPc + length * 4) >>> 0;
  if (!terminated) body.push(`result = n + ${length}; next = ${offset(endPc)};`);
  const source = blockSource(
    startPc,
    body,
    [...used].sort((a, b) => a - b),
    [...written],
    loops,
  );
  const factory = new Function(...FACTORY_PARAMETERS, source) as (...args: unknown[]) => BlockFunction;
  return {
    start: startIndex,
    words,
    length,
    loops,
    firstStore: hasStores ? firstStore : length,
    source,
    fn: factory(mulh, mulhsu, mulhu),
  };
}

/**
 * True when the straight-line code from word `startIndex + from` reaches a `jal x0` or a
 * conditional branch back to the block's start before any other control transfer, SYSTEM
 * instruction or the length cap: the shape of a top-tested loop (`1: bgeu t0, t1, 2f; ...; j 1b`)
 * or of a loop with an early exit (memcmp's `1: lbu; lbu; bne a3, a4, 3f; ...; bnez a2, 1b`),
 * which then iterates inside one block function instead of bouncing between two blocks through
 * the dispatcher.
 */
function jumpsBackToStart(ram32: Int32Array, startIndex: number, from: number): boolean {
  for (let index = from; index < BLOCK_WORDS_MAX && startIndex + index < ram32.length; index++) {
    const insn = ram32[startIndex + index]!;
    const opcode = insn & 0x7f;
    if (opcode === 0x6f) {
      const offset =
        ((insn >> 31) << 20) | (insn & 0xff000) | ((insn >>> 9) & 0x800) | ((insn >>> 20) & 0x7fe);
      return ((insn >> 7) & 31) === 0 && offset === -index * 4;
    }
    if (opcode === 0x63) {
      const offset =
        ((insn >> 31) << 12) | ((insn << 4) & 0x800) | ((insn >>> 20) & 0x7e0) | ((insn >>> 7) & 0x1e);
      return offset === -index * 4;
    }
    if (opcode === 0x67 || opcode === 0x73 || opcode === 0x0f) return false;
  }
  return false;
}

/** True when `ram32` holds the template's words at its start. */
export function templateMatches(template: BlockTemplate, ram32: Int32Array): boolean {
  const words = template.words;
  const start = template.start;
  for (let i = 0; i < words.length; i++) if (ram32[start + i] !== words[i]) return false;
  return true;
}

/** The template's block function (a template of length 0 has none). */
export function blockFunction(template: BlockTemplate): BlockFunction {
  assert(template.fn !== null, 'blockFunction: a block of length 0 has no function');
  return template.fn;
}

/** Decodes and translates the block starting at RAM word `startIndex` (no sharing). */
export function compileBlock(env: BlockEnvironment, startIndex: number): CompiledBlock {
  const template = translateBlock(env.hart, env.ram32, startIndex);
  const { length, loops, firstStore, source } = template;
  if (length === 0) return { fn: notCompiled, length: 0, loops: false, firstStore: 0, source: '' };
  return { fn: blockFunction(template), length, loops, firstStore, source };
}

function blockSource(
  startPc: number,
  body: string[],
  used: number[],
  written: number[],
  loops: boolean,
): string {
  const locals = used.map((r) => `x${r} = regs[${r}]`);
  const writeBack = written.map((r) => `regs[${r}] = x${r};`).join(' ');
  const text = [...body, writeBack, 'exitOffset'].join('\n');
  const names = ENVIRONMENT_NAMES.filter(
    (name) => (name === 'regs' && locals.length > 0) || new RegExp(`\\b${name}\\b`).test(text),
  );
  return [
    `'use strict';`,
    `return function block_${startPc.toString(16)}(env, budget) {`,
    `const ${names.map((name) => `${name} = env.${name}`).join(', ')};`,
    locals.length > 0 ? `let ${locals.join(', ')};` : '',
    'let o = 0, w = 0, t = 0, n = 0, result = 0, next = 0;',
    loops ? 'exit: for (;;) {' : 'exit: {',
    ...body,
    '}',
    writeBack,
    'exitOffset[0] = next;',
    'return result;',
    '};',
  ].join('\n');
}

function notCompiled(): number {
  assert(false, 'a block of length 0 is never called');
}
