import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, bothEngines, programArb, stopPointsArb } from './jit-harness.ts';

describe('compiled engine against the interpreter', () => {
  it('random programs (ALU, M, loads/stores, MMIO, branches, CSRs, traps, self-modifying code) agree at every stop point', () => {
    fc.assert(
      fc.property(programArb, stopPointsArb(3000), fc.constantFrom(0, 2), (spec, points, warmup) => {
        const { interpreted, compiled } = bothEngines(assemble(spec), points, warmup);
        expect(compiled).toEqual(interpreted);
      }),
      { numRuns: 400, seed: 8008 },
    );
  });
});
