// Translated blocks are shared by every hart of one RAM layout (src/rv32/jit/block-templates.ts):
// a second hart running the same code binds the first one's translations, and a hart whose RAM
// holds different words at the same start never runs a translation of someone else's code. The
// per-start arrays of a hart's cache cover a window of RAM that grows when code runs further up.
import { describe, expect, it } from 'vitest';
import { Stop } from '../src/rv32/hart.ts';
import { BlockTemplates } from '../src/rv32/jit/block-templates.ts';
import { START_WINDOW_WORDS_INITIAL } from '../src/rv32/jit/code-cache.ts';
import { CompiledEngine } from '../src/rv32/jit/compiled-engine.ts';
import { DATA, hartState, makeHart, RAM, RAM_SIZE } from './jit-harness.ts';
import { Asm, Reg } from './rv32-asm.ts';

const { a0, a1, a2, a3 } = Reg;

/** A counting loop adding `step` each time (so two images differ in one immediate only). */
function loop(step: number): Uint8Array {
  return new Asm(RAM)
    .li(a0, 0)
    .li(a1, 0)
    .li(a3, DATA)
    .label('loop')
    .addi(a0, a0, step)
    .addi(a1, a1, 1)
    .sw(a0, 0, a3)
    .li(a2, 1000)
    .bne(a1, a2, 'loop')
    .label('done')
    .wfi()
    .j('done')
    .assemble();
}

/** Runs the image to its wfi on a compiled engine sharing `templates`; checks it against the interpreter. */
function runShared(image: Uint8Array, templates: BlockTemplates): CompiledEngine {
  const { hart } = makeHart(image);
  const engine = new CompiledEngine(hart, { interpretedEntriesBeforeCompile: 0, templates });
  expect(engine.run(100_000)).toBe(Stop.Wfi);
  const reference = makeHart(image).hart;
  expect(reference.run(100_000)).toBe(Stop.Wfi);
  expect(hartState(hart)).toBe(hartState(reference));
  return engine;
}

describe('compiled blocks shared between harts', () => {
  it("a second hart on the same code binds the first one's translations", () => {
    const templates = new BlockTemplates({ ramBase: RAM, ramSizeBytes: RAM_SIZE });
    runShared(loop(3), templates);
    const translated = templates.translated;
    expect(translated).toBeGreaterThan(0);
    const second = runShared(loop(3), templates);
    expect(templates.translated).toBe(translated);
    expect(templates.reused).toBeGreaterThanOrEqual(translated);
    expect(second.cache.compiled).toBeGreaterThan(0);
  });

  it('different words at the same start get their own translation', () => {
    const templates = new BlockTemplates({ ramBase: RAM, ramSizeBytes: RAM_SIZE });
    runShared(loop(3), templates);
    const translated = templates.translated;
    // Same layout, one immediate differs: the loop block must be translated again, and the
    // result is the one of this hart's code (checked against the interpreter in runShared).
    runShared(loop(5), templates);
    expect(templates.translated).toBeGreaterThan(translated);
  });

  it('keeps a bounded number of versions per start', () => {
    const templates = new BlockTemplates({ ramBase: RAM, ramSizeBytes: RAM_SIZE });
    for (let step = 1; step <= 10; step++) runShared(loop(step), templates);
    expect(templates.size).toBeLessThanOrEqual(4 * 8);
  });
});

describe('code cache window', () => {
  it('code far up in RAM (past the first window of per-start arrays) runs compiled and exactly', () => {
    const far = RAM + 4 * START_WINDOW_WORDS_INITIAL + 0x400;
    const asm = new Asm(RAM).li(a3, far).jalr(0, a3, 0);
    while (asm.here < far) asm.word(0);
    const body = loop(7);
    const image = new Uint8Array(far - RAM + body.length);
    image.set(asm.assemble());
    // The loop assembled at RAM works anywhere: its branches are pc-relative, its data absolute.
    image.set(body, far - RAM);
    const templates = new BlockTemplates({ ramBase: RAM, ramSizeBytes: RAM_SIZE });
    const engine = runShared(image, templates);
    expect(engine.cache.lengths.length).toBeGreaterThan(START_WINDOW_WORDS_INITIAL);
    expect(engine.cache.compiled).toBeGreaterThan(2);
  });
});
