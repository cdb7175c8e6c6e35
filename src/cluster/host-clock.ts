// What a host answers to a VM's nondeterministic reads: its clock (simulated microseconds, also
// the CLINT `mtime` unit), its cycle counter (the instruction count) and its entropy source (the
// VM's own seeded stream). On a primary these answers are logged; a secondary replays them.
import type { Prng } from '../base/prng.ts';
import { Nondet, type NondetSource } from '../vm/api.ts';

const TWO_POW_32 = 0x1_0000_0000;

export class HostClock implements NondetSource {
  constructor(
    private readonly nowUs: () => number,
    private readonly entropy: Prng,
  ) {}

  read(kind: Nondet, instret: number): number {
    switch (kind) {
      case Nondet.TimeLo:
      case Nondet.MtimeLo:
        return this.nowUs() >>> 0;
      case Nondet.TimeHi:
      case Nondet.MtimeHi:
        return Math.floor(this.nowUs() / TWO_POW_32) >>> 0;
      case Nondet.CycleLo:
        return instret >>> 0;
      case Nondet.CycleHi:
        return Math.floor(instret / TWO_POW_32) >>> 0;
      default:
        return this.entropy.nextU32();
    }
  }
}
