// A guest that writes minstret and mcycle keeps lockstep exact: the writes change only the
// counters' offsets (hart state, compared at every boundary and carried by snapshots), never the
// retired-instruction count that log entries and interrupt delivery are stamped with; mcycle's
// host reads are ordinary logged nondeterministic reads, replayed on the secondary.
import { describe, expect, it } from 'vitest';
import { LockstepPair } from '../src/lockstep/lockstep-pair.ts';
import { checkReferenceOracle } from '../src/lockstep/oracle.ts';
import { PairHost } from '../src/lockstep/pair-host.ts';
import { Csr } from '../src/rv32/csr.ts';
import { RAM_BASE, TEST_DEVICE_BASE, UART_BASE } from '../src/vm/api.ts';
import { describeDifferences } from '../src/vm/differences.ts';
import { VirtualMachine, type VmEngine } from '../src/vm/machine.ts';
import { makeElf } from './elf-build.ts';
import { Asm, Reg } from './rv32-asm.ts';

const { zero, t0, t1, t2, t3, s0, s1, a0 } = Reg;
const ROUNDS = 300;

/** Each round: minstret += 1000, mcycle += 7 (mcycleh too every 16th), then prints a byte mixing them. */
function counterGuest(): Uint8Array {
  const asm = new Asm(RAM_BASE);
  asm.li(s0, UART_BASE).li(s1, ROUNDS);
  asm.label('round');
  asm.csrrs(t0, Csr.minstret, zero).addi(t0, t0, 1000).csrrw(zero, Csr.minstret, t0);
  asm.csrrs(t1, Csr.mcycle, zero).addi(t1, t1, 7).csrrw(t2, Csr.mcycle, t1);
  asm.andi(t3, s1, 15).bne(t3, zero, 'print').csrrsi(zero, Csr.mcycleh, 1);
  asm.label('print');
  asm.csrrs(a0, Csr.instret, zero).csrrs(t3, Csr.cycleh, zero).xor(a0, a0, t3);
  asm.csrrs(t3, Csr.time, zero).xor(a0, a0, t3).xor(a0, a0, t2);
  asm.andi(a0, a0, 0x3f).addi(a0, a0, 0x30).sb(a0, 0, s0);
  asm.addi(s1, s1, -1).bne(s1, zero, 'round');
  asm.li(t0, TEST_DEVICE_BASE).li(t1, 0x5555).sw(t1, 0, t0);
  return makeElf(RAM_BASE, [{ address: RAM_BASE, data: asm.assemble() }]);
}

function pairOf(engine: VmEngine): LockstepPair {
  const elf = counterGuest();
  return new LockstepPair({
    primary: VirtualMachine.fromElf(elf, { engine }),
    secondary: VirtualMachine.fromElf(elf, { engine }),
    host: new PairHost({ seed: 5, instructionsPerUs: 3 }),
    sliceInstructions: 97, // slices end between a counter read and its write
    checkEvery: 1,
    checkEveryBoundaryFrom: 0,
    keepTranscript: true,
    describeDifferences: (a, b) => describeDifferences(a, b),
  });
}

describe('guest writes to minstret and mcycle under lockstep', () => {
  for (const engine of ['interpreter', 'compiled'] as const) {
    it(`${engine}: equal state at every boundary, the world sees the replay of the log`, () => {
      const pair = pairOf(engine);
      const result = pair.run();
      expect(result.divergence?.message ?? null).toBeNull();
      expect(result.primaryStop).toBe('exit');
      expect(result.figures.samplesCompared).toBeGreaterThanOrEqual(pair.primary.instret);
      expect(pair.host.world.consoleText).toHaveLength(ROUNDS);
      const csrs = pair.primary.snapshot().csrs;
      expect(csrs.minstretOffsetLo).not.toBe(0);
      expect(csrs.mcycleOffsetHi).not.toBe(0);
      const fresh = VirtualMachine.fromElf(counterGuest(), { engine });
      expect(checkReferenceOracle(pair.host.world, fresh, pair.transcript())).toBeNull();
    });
  }

  it('both engines print the same bytes, and a snapshot taken mid-run resumes identically', () => {
    const [interpreted, compiled] = (['interpreter', 'compiled'] as const).map((engine) => {
      const pair = pairOf(engine);
      pair.run();
      return pair.host.world.consoleText;
    });
    expect(compiled).toBe(interpreted);
    const vm = VirtualMachine.fromElf(counterGuest());
    vm.run(2_000);
    const resumed = new VirtualMachine({ engine: 'interpreter' });
    resumed.restore(vm.snapshot());
    expect(resumed.digest()).toBe(vm.digest());
    vm.run(6_000);
    resumed.run(6_000);
    expect(resumed.digest()).toBe(vm.digest());
  });
});
