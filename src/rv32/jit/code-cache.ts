// The compiled-block cache of one hart: blocks indexed by their starting RAM word ((pc - RAM base)
// >> 2; an array beats a Map by ~20% here), a per-word count of the blocks covering each word
// (checked by every compiled store, so self-modifying code is caught at word granularity), and
// bounds: at most `COMPILED_BLOCKS_MAX` live blocks (the whole cache is dropped when full), and a
// start that keeps being invalidated is left to the interpreter for good (a guest writing code in a
// loop would otherwise spend its time compiling). Translations come from the process-wide
// templates (block-templates.ts): a block another hart already translated from the same words is
// bound at its first entry, without the interpreted warm-up entries a new translation waits for.
import { assert } from '../../base/assert.ts';
import type { Hart } from '../hart.ts';
import {
  BLOCK_WORDS_MAX,
  type BlockEnvironment,
  type BlockFunction,
  type BlockTemplate,
  blockEnvironment,
  blockFunction,
} from './block-compiler.ts';
import { type BlockTemplates, sharedTemplates } from './block-templates.ts';

/** Live compiled blocks before the cache is flushed. */
export const COMPILED_BLOCKS_MAX = 8192;
/**
 * Entries into a start address that are interpreted before it is compiled: a block costs far more
 * to compile (`new Function`, then V8's tiers) than to interpret once, and a guest that keeps
 * jumping into fresh code must not spend its time compiling.
 */
export const INTERPRETED_ENTRIES_BEFORE_COMPILE = 2;
/** Invalidations of one start address after which it is only interpreted. */
export const INVALIDATIONS_PER_START_MAX = 8;

/** `lengths[i]`: 0 = not compiled yet, > 0 = compiled block length, -1 = interpret only. */
export const INTERPRET_ONLY = -1;

/** Start words covered by the per-start arrays at first; they grow when code runs further up. */
export const START_WINDOW_WORDS_INITIAL = 4096;

export class CodeCache {
  /**
   * Per start word below `lengths.length` (the window: guest code is usually a small prefix of
   * RAM, so a VM does not allocate and zero arrays for all of it; `grow` extends the window).
   */
  lengths: Int32Array;
  /** Block functions by start word; grown on demand. */
  readonly functions: (BlockFunction | undefined)[] = [];
  /** Per block start: instructions before its first store (a store-free prefix). */
  storeFreePrefix: Int32Array;
  /** Number of live blocks covering each RAM word (all of RAM: every store checks it). */
  readonly codeWords: Uint8Array;
  private invalidations: Uint8Array;
  /** Interpreted entries per start address not compiled yet. */
  private heat: Uint8Array;
  private readonly hart: Hart;
  /** Written by every block on exit: the next pc as a RAM offset. */
  readonly exitOffset = new Int32Array(1);
  liveBlocks = 0;
  /** Statistics (not part of any architectural state). */
  compiled = 0;
  flushes = 0;
  invalidated = 0;

  /** Interpreted entries into a start before it is compiled (tests use 0: compile at once). */
  private readonly entriesBeforeCompile: number;
  private readonly templates: BlockTemplates;
  /** What this hart's blocks run in (passed to every block function). */
  readonly environment: BlockEnvironment;

  constructor(
    hart: Hart,
    entriesBeforeCompile = INTERPRETED_ENTRIES_BEFORE_COMPILE,
    templates = sharedTemplates(hart),
  ) {
    assert(
      Number.isInteger(entriesBeforeCompile) && entriesBeforeCompile >= 0 && entriesBeforeCompile < 256,
      'entriesBeforeCompile must be an integer in 0..255',
    );
    assert(
      templates.layout.ramBase === hart.ramBase && templates.layout.ramSizeBytes === hart.ramSizeBytes,
      "block templates must be of the hart's RAM layout",
    );
    const words = hart.ramSizeBytes >>> 2;
    this.hart = hart;
    this.entriesBeforeCompile = entriesBeforeCompile;
    this.templates = templates;
    const window = Math.min(words, START_WINDOW_WORDS_INITIAL);
    this.lengths = new Int32Array(window);
    this.storeFreePrefix = new Int32Array(window);
    this.codeWords = new Uint8Array(words);
    this.invalidations = new Uint8Array(window);
    this.heat = new Uint8Array(window);
    this.environment = blockEnvironment(hart, this.codeWords, (w) => this.invalidateWord(w), this.exitOffset);
  }

  /** Extends the per-start arrays to cover start word `start` (< RAM words). */
  grow(start: number): void {
    const words = this.codeWords.length;
    assert(start >= this.lengths.length && start < words, 'grow: start inside the window or outside RAM');
    const size = Math.min(words, Math.max(start + 1, this.lengths.length * 2));
    const widen = <T extends Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const wider = make(size);
      wider.set(old);
      return wider;
    };
    this.lengths = widen(this.lengths, (n) => new Int32Array(n));
    this.storeFreePrefix = widen(this.storeFreePrefix, (n) => new Int32Array(n));
    this.invalidations = widen(this.invalidations, (n) => new Uint8Array(n));
    this.heat = widen(this.heat, (n) => new Uint8Array(n));
  }

  /**
   * An entry into start word `start`, which has no block: binds the shared translation of its
   * words if there is one, else translates it once the start is warm. Returns the block's length,
   * 0 while the start is still cold (interpret it), or INTERPRET_ONLY.
   */
  enter(start: number): number {
    assert(this.lengths[start] === 0, 'enter: block already present');
    const shared = this.templates.find(this.hart.ram32, start);
    if (shared !== undefined) return this.install(start, shared);
    if (!this.warm(start)) return 0;
    return this.install(start, this.templates.translate(this.hart.ram32, start));
  }

  /** Counts an entry into an uncompiled start; true once it is warm enough to compile. */
  private warm(start: number): boolean {
    const heat = this.heat[start]!;
    if (heat >= this.entriesBeforeCompile) return true;
    this.heat[start] = heat + 1;
    return false;
  }

  private install(start: number, template: BlockTemplate): number {
    if (this.liveBlocks >= COMPILED_BLOCKS_MAX) this.flush();
    this.compiled++;
    if (template.length === 0) {
      this.lengths[start] = INTERPRET_ONLY;
      return INTERPRET_ONLY;
    }
    const functions = this.functions;
    while (functions.length <= start) functions.push(undefined);
    functions[start] = blockFunction(template);
    this.lengths[start] = template.length;
    this.storeFreePrefix[start] = template.firstStore;
    for (let w = start; w < start + template.length; w++) this.codeWords[w]!++;
    this.liveBlocks++;
    return template.length;
  }

  /** Drops every block covering RAM word `word`. */
  invalidateWord(word: number): void {
    if (this.codeWords[word] === 0) return;
    const last = Math.min(word, this.lengths.length - 1);
    for (let start = Math.max(0, word - BLOCK_WORDS_MAX + 1); start <= last; start++) {
      const length = this.lengths[start]!;
      if (length > 0 && start + length > word) this.drop(start, length);
    }
    assert(this.codeWords[word] === 0, 'invalidateWord: a covering block survived');
  }

  /** Drops the blocks covering any word of RAM bytes [offset, offset + lengthBytes). */
  invalidateRange(offset: number, lengthBytes: number): void {
    if (lengthBytes <= 0) return;
    const first = offset >>> 2;
    const last = Math.min((offset + lengthBytes - 1) >>> 2, this.codeWords.length - 1);
    if (last - first > this.codeWords.length >>> 2) {
      this.flush();
      return;
    }
    for (let w = first; w <= last; w++) if (this.codeWords[w] !== 0) this.invalidateWord(w);
  }

  /** Forgets all compiled code (and the interpret-only marks). */
  flush(): void {
    this.lengths.fill(0);
    this.functions.length = 0;
    this.codeWords.fill(0);
    this.invalidations.fill(0);
    this.heat.fill(0);
    this.liveBlocks = 0;
    this.flushes++;
  }

  private drop(start: number, length: number): void {
    for (let w = start; w < start + length; w++) this.codeWords[w]!--;
    this.functions[start] = undefined;
    this.heat[start] = 0;
    this.liveBlocks--;
    this.invalidated++;
    const count = this.invalidations[start]! + 1;
    this.invalidations[start] = count;
    this.lengths[start] = count >= INVALIDATIONS_PER_START_MAX ? INTERPRET_ONLY : 0;
  }
}
