// The whole ISA suite (test/rv32-isa.test.ts) again, with every `Hart.run` served by the compiled
// engine compiling each block on its first entry, so every instruction test also runs compiled.
import { Hart } from '../src/rv32/hart.ts';
import { CompiledEngine } from '../src/rv32/jit/compiled-engine.ts';

const engines = new WeakMap<Hart, CompiledEngine>();
Hart.prototype.run = function runCompiled(this: Hart, untilInstret: number) {
  let engine = engines.get(this);
  if (engine === undefined) {
    engine = new CompiledEngine(this, { interpretedEntriesBeforeCompile: 0 });
    engines.set(this, engine);
  }
  return engine.run(untilInstret);
};

await import('./rv32-isa.test.ts');
